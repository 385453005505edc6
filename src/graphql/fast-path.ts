import { execute, getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql'
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga'
import type { Logger } from '../log'
import type { ServerContext } from './body'
import type { GraphqlContext } from './context'
import { maskError } from './errors'
import { redactAll } from './redact'

type Params = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }

/** What the fast path shares with yoga, so that both answer alike. */
export interface FastPathOptions {
  yoga: YogaServerInstance<ServerContext, GraphqlContext>
  schema: GraphQLSchema
  /** The function yoga's context option builds each request's context with. */
  contextFor(request: Request): GraphqlContext
  /** Documents yoga's parse and validate accepted, by their text. */
  documents: { get(key: string): DocumentNode | undefined; set(key: string, value: DocumentNode): void }
  logger: Logger
}

/** Yoga's message for any error that is not a GraphQLError thrown on purpose. */
const MASKED_MESSAGE = 'Unexpected error.'
/** The media types of yoga's regular (single result) processor, in the order it tries them. */
const REGULAR = ['application/graphql-response+json', 'application/json'] as const
const PARAMS = new Set(['query', 'variables', 'operationName', 'extensions'])

/**
 * The media type yoga would answer a single result with, by its own rules (`Accept` read back to front, the
 * last match wins, only utf-8), or undefined when none of the regular ones fits: yoga answers those (406).
 */
export function regularMediaType(accept: string | null): string | undefined {
  let chosen: string | undefined
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse()) {
    const [mediaType = '', ...params] = entry.split(';')
    if ((params.find((param) => param.includes('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8') continue
    const [type, subtype] = mediaType.split('/')
    for (const candidate of REGULAR) {
      const [candidateType, candidateSubtype] = candidate.split('/')
      if ((type === '*' || type === candidateType) && (subtype === '*' || subtype === candidateSubtype)) chosen = candidate
    }
  }
  return chosen
}

// Clients send a handful of distinct Accept headers; each is read once. Bounded: odd ones are just recomputed.
const mediaTypes = new Map<string | null, string | undefined>()
const MEDIA_TYPES_KEPT = 64

function mediaTypeFor(accept: string | null): string | undefined {
  if (mediaTypes.has(accept)) return mediaTypes.get(accept)
  const mediaType = regularMediaType(accept)
  if (mediaTypes.size < MEDIA_TYPES_KEPT && (accept?.length ?? 0) <= 256) mediaTypes.set(accept, mediaType)
  return mediaType
}

/** As yoga's executor marks the errors of an operation that never started (graphql-tools `execute`). */
function markBadRequest(error: GraphQLError) {
  const extensions = error.extensions as { http?: object }
  Object.defineProperty(error, 'extensions', { value: { ...extensions, http: { ...extensions.http, status: 400 } } })
}

const objectOrNone = (value: unknown) => value == null || (typeof value === 'object' && !Array.isArray(value))

/** One operation whose parameters pass yoga's checks; anything else is yoga's to refuse in its own words. */
function plainParams(body: string): Params | undefined {
  let params: unknown
  try {
    params = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined
  const fields = params as Record<string, unknown>
  for (const key in fields) if (fields[key] != null && !PARAMS.has(key)) return undefined
  if (typeof fields.query !== 'string' || !objectOrNone(fields.variables) || !objectOrNone(fields.extensions)) return undefined
  if (fields.operationName != null && typeof fields.operationName !== 'string') return undefined
  return params as Params
}

/**
 * `POST /graphql` with one JSON operation, the request nearly every client sends, answered without yoga's
 * generic layers, which cost several times the execution itself: the fetch adapter's per-request context
 * copies, the request-parser and result-processor hook loops, the validation cache's key (the names of all
 * ~35 rules, joined) rebuilt for a document already judged, and envelop's per-request hook chains.
 *
 * A document is judged once, by yoga's own parse and validate with every plugin (Armor limits, introspection
 * rule); only one that passed is remembered, by its text (schema and rules are fixed, so the verdict is too).
 * It then runs on yoga's schema and context, its errors redacted and masked as yoga's plugins do, and yoga's
 * own serializer chooses the status and content type.
 *
 * Returns undefined for anything else (a batch, a body or parameters yoga would refuse, a document that
 * fails or names no operation, a subscription, an `Accept` no single JSON result fits): yoga answers it whole.
 */
export function fastPath({ yoga, schema, contextFor, documents, logger }: FastPathOptions) {
  function judged(request: Request, params: Params): DocumentNode | undefined {
    const known = documents.get(params.query)
    if (known) return known
    const enveloped = yoga.getEnveloped({ request, params } as never)
    try {
      const document = enveloped.parse(params.query)
      if (enveloped.validate(enveloped.schema, document).length > 0) return undefined
      documents.set(params.query, document)
      return document
    } catch {
      return undefined // a syntax error or an Armor limit: yoga says which
    }
  }

  // Yoga masks an error that was not raised on purpose as a GraphQLError, and logs the original.
  function masked(error: unknown): GraphQLError {
    const shown = maskError(error, MASKED_MESSAGE)
    if (shown !== error) logger.error('graphql', error)
    return shown instanceof GraphQLError ? shown : new GraphQLError(shown.message)
  }

  /**
   * What envelop's execute does with madblog's plugins, without its per-request hook machinery (which costs
   * as much again as graphql-js's execute): execute on yoga's context, then the two execute-time hooks in
   * yoga's order, redaction (src/graphql/redact.ts) and masking. The hook inventory test pins that these are
   * all there are.
   */
  async function run(request: Request, document: DocumentNode, params: Params): Promise<ExecutionResult> {
    // Resolver errors come back in the result; execute itself throws only on arguments checked above.
    const result = await execute({
      schema,
      document,
      contextValue: contextFor(request),
      variableValues: params.variables,
      operationName: params.operationName,
    })
    if (!result.errors) return result
    // Errors and no data: the operation never started (variables that do not coerce); 400 is the status
    // yoga's serializer then gives them under application/graphql-response+json.
    if (!('data' in result)) for (const error of result.errors) markBadRequest(error)
    redactAll(result.errors)
    return { ...result, errors: result.errors.map(masked) }
  }

  return (request: Request, body: string): Promise<Response> | undefined => {
    const mediaType = mediaTypeFor(request.headers.get('accept'))
    const params = mediaType ? plainParams(body) : undefined
    const document = params && judged(request, params)
    if (!document) return undefined
    const operation = getOperationAST(document, params.operationName)
    if (!operation || operation.operation === 'subscription') return undefined
    return run(request, document, params).then((result) => processRegularResult(result, yoga.fetchAPI, mediaType!))
  }
}
