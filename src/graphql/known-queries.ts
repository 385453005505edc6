import { getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql'
import type { CompiledQuery } from 'graphql-jit'
import { processRegularResult, type Plugin } from 'graphql-yoga'
import { boundedCache } from './cache'
import type { GraphqlContext, ServerContext } from './context'

type Params = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }

/** The single-result media type yoga picks for the `Accept` headers clients commonly send; any other is yoga's to read. */
const MEDIA_TYPES = new Map<string | null, string>([
  [null, 'application/json'],
  ['*/*', 'application/json'],
  ['application/json', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
])
const PARAMS = new Set(['query', 'variables', 'operationName'])

/** One operation in the plainest shape; anything else (a batch, extensions, odd types) is left to yoga. */
function plainParams(body: string): Params | undefined {
  let params: unknown
  try {
    params = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined
  const fields = params as Record<string, unknown>
  for (const key in fields) if (!PARAMS.has(key)) return undefined
  const { query, variables, operationName } = fields
  if (typeof query !== 'string') return undefined
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined
  if (operationName != null && typeof operationName !== 'string') return undefined
  return params as Params
}

/**
 * A yoga plugin that answers, in `onRequest`, a query yoga has already accepted once: the same document text,
 * parsed and validated then by yoga with every plugin (Armor's limits, the introspection rule), is compiled
 * once by graphql-jit and run on the same schema and context, and yoga's own serializer writes the answer.
 * Yoga's later per-request layers (request parsing, parameter checks, envelop's hook chains, the validation
 * cache's key) and graphql-js's interpreted execution cost several times the work itself, and with a known
 * query and no error they decide nothing (bench/: CPU µs per request).
 *
 * It only ever answers a query whose result has no error: a query changes nothing, so anything else (a
 * mutation, an error to mask and redact, a document yoga has not accepted, an unusual `Accept`) is simply left
 * to yoga, which answers it whole.
 */
export function useKnownQueries(
  schema: GraphQLSchema,
  contextFor: (serverContext: ServerContext) => GraphqlContext,
  cache: { entries: number; keyChars: number },
): Plugin<{}, ServerContext> {
  const accepted = boundedCache<DocumentNode>(cache.entries, cache.keyChars)
  // Per document, per operation name; null when graphql-jit cannot compile it (yoga then runs it every time).
  const compiled = new WeakMap<DocumentNode, Map<string | null | undefined, CompiledQuery | null>>()

  function compiledQuery(document: DocumentNode, operationName: string | null | undefined): CompiledQuery | null {
    let byName = compiled.get(document)
    if (!byName) compiled.set(document, (byName = new Map()))
    let query = byName.get(operationName)
    if (query === undefined) {
      // Loaded on the first known query, not at start: graphql-jit and its JSON-schema stack weigh some 3 MiB.
      const { compileQuery, isCompiledQuery } = require('graphql-jit') as typeof import('graphql-jit')
      const operation = getOperationAST(document, operationName)
      const result = operation?.operation === 'query' ? compileQuery(schema, document, operationName ?? undefined) : undefined
      query = result && isCompiledQuery(result) ? result : null
      byName.set(operationName, query)
    }
    return query
  }

  return {
    onValidate({ context, params: { documentAST } }) {
      const { query } = (context as { params?: Partial<Params> }).params ?? {}
      if (typeof query !== 'string') return
      return ({ valid }) => {
        if (valid) accepted.set(query, documentAST)
      }
    },
    onRequest({ request, serverContext, fetchAPI, endResponse }) {
      const body = serverContext.bufferedBody
      const mediaType = body === undefined ? undefined : MEDIA_TYPES.get(request.headers.get('accept'))
      const params = mediaType ? plainParams(body!) : undefined
      const document = params && accepted.get(params.query)
      const query = document && compiledQuery(document, params.operationName)
      if (!query) return
      const answer = (result: Awaited<ReturnType<typeof query.query>>) => {
        // Errors go through yoga's whole path, which masks and logs them as it does for every other document.
        if (!result.errors) endResponse(processRegularResult(result, fetchAPI, mediaType!))
      }
      // Synchronous when the store is (SQLite); a PostgreSQL read answers once it settles.
      const result = query.query(undefined, contextFor(serverContext), params.variables ?? {})
      return result instanceof Promise ? result.then(answer) : answer(result)
    },
  }
}
