import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions'
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit'
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth'
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives'
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens'
import { NoSchemaIntrospectionCustomRule } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { GraphqlSettings } from '../config'

export const CSRF_HEADER = 'x-graphql-yoga-csrf'
// The bodies a browser may POST across origins without asking first (no CORS preflight).
const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']

/**
 * CSRF prevention: a POST a browser could send from another site without a preflight (no content type, or a
 * form or text one) must carry a custom header, which only a preflighted, CORS-approved page can add. GET is
 * exempt: yoga runs only queries there, and madblog has no ambient credentials (no cookies, only Bearer
 * headers a foreign page cannot attach), so a cross-site GET can read nothing and change nothing.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST' || request.headers.has(CSRF_HEADER)) return
      const type = request.headers.get('content-type')?.split(';')[0]!.trim().toLowerCase()
      if (type && !SIMPLE_TYPES.includes(type)) return
      const message = `Send a JSON body (Content-Type: application/json) or the ${CSRF_HEADER} header.`
      endResponse(
        Response.json({ errors: [{ message, extensions: { code: 'CSRF_PREVENTED' } }] }, { status: 403 }),
      )
    },
  }
}

/** Refuses `__schema` and `__type` during validation, before anything runs. */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule)
    },
  }
}

/**
 * GraphQL Armor: every limit is checked while parsing or validating, so a hostile document is refused before a
 * resolver runs, and the verdict is cached with the document. Depth and cost count introspection too: madblog's
 * own types nest at most four deep, and only introspection (`type { fields { type { fields ...`) can recurse.
 */
export function hardening(settings: GraphqlSettings): Plugin[] {
  return [
    maxTokensPlugin({ n: settings.maxTokens }),
    maxDepthPlugin({ n: settings.maxDepth, ignoreIntrospection: false, flattenFragments: true }),
    maxAliasesPlugin({ n: settings.maxAliases }),
    maxDirectivesPlugin({ n: settings.maxDirectives }),
    costLimitPlugin({ maxCost: settings.maxCost, flattenFragments: true }),
    useCsrfPrevention(),
    ...(settings.introspection ? [] : [useNoIntrospection(), blockFieldSuggestionsPlugin()]),
  ] as Plugin[]
}
