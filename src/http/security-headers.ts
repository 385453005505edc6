import { Elysia } from 'elysia'

/**
 * What the two HTML pages may load: madblog's own origin, and these exceptions, each needed by a page.
 * - style-src 'unsafe-inline': Scalar and GraphiQL (Monaco) write <style> elements and style attributes at
 *   run time, and the Swagger page carries its theme inline; styles cannot run code.
 * - img-src/font-src data:: icons and fonts inlined in the bundles, and the favicon placeholder.
 * - worker-src 'self': Monaco's editor workers, served from /graphql/assets.
 * - on /swagger, one script hash: @elysiajs/swagger's page holds an empty <script id="api-reference"> whose
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

const SWAGGER = pageHeaders("'self' 'sha256-TcUB1mzXiQO4GxpTRZ0EMpOXKMU3u+n/q1WrgVIcs1I='")

/** The HTML pages: the API reference and the GraphiQL playground (GET /graphql; its JSON answers are harmless to cover). */
const PAGES = new Map<string, Record<string, string>>([
  ['/swagger', SWAGGER],
  ['/swagger/', SWAGGER],
  ['/graphql', pageHeaders("'self'")],
])

/** Every answer is `nosniff`, so no JSON or asset is ever run as something else; the pages also get their policy. */
export const securityHeaders = new Elysia({ name: 'security-headers' }).onRequest(({ request, set }) => {
  set.headers['x-content-type-options'] = 'nosniff'
  const page = request.method === 'GET' ? PAGES.get(pathOf(request.url)) : undefined
  if (page) Object.assign(set.headers, page)
})

/** The path of an absolute URL, without its query. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const query = url.indexOf('?', start)
  return query === -1 ? url.slice(start) : url.slice(start, query)
}
