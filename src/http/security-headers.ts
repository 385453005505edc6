import { Elysia } from 'elysia'

/**
 * What the two HTML pages may load: madblog's own origin, and these exceptions, each needed by a page.
 * - style-src 'unsafe-inline': Scalar and GraphiQL (Monaco) write <style> elements and style attributes at
 *   run time, and the Swagger page carries its theme inline; styles cannot run code.
 * - img-src/font-src data:: icons and fonts inlined in the bundles, and the favicon placeholder.
 * - worker-src 'self': Monaco's editor workers, served from /graphql/assets.
 * - on /swagger, one script hash: @elysiajs/openapi's page holds an empty <script id="api-reference"> whose
 *   attributes Scalar reads; its content is whitespace, allowed by its hash so the browser reports nothing.
 */
function pagePolicy(scriptSources: string) {
  return [
    "default-src 'self'",
    `script-src ${scriptSources}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    // Nobody may frame the playground, where people paste tokens, and trick them into clicking in it.
    "frame-ancestors 'none'",
  ].join('; ')
}

const pageHeaders = (scriptSources: string) => ({
  'content-security-policy': pagePolicy(scriptSources),
  'x-frame-options': 'DENY', // frame-ancestors for browsers that predate it
  'referrer-policy': 'no-referrer', // no URL (a ?query= link, say) leaks to whatever a page links to
})

/** The API reference's page (GET /swagger), whose script holds one hash. */
export const SWAGGER_PAGE_HEADERS = pageHeaders("'self' 'sha256-TcUB1mzXiQO4GxpTRZ0EMpOXKMU3u+n/q1WrgVIcs1I='")
/** The GraphiQL playground (GET /graphql; its JSON answers are harmless to cover). */
export const GRAPHIQL_PAGE_HEADERS = pageHeaders("'self'")

/**
 * Every answer is `nosniff`, so no JSON or asset is ever run as something else: a fixed header, so no hook
 * runs per request. The pages' policies are set by their own routes (src/http/docs.ts, src/http/graphql.ts).
 */
export const securityHeaders = new Elysia({ name: 'security-headers' }).headers({ 'x-content-type-options': 'nosniff' })
