import { Elysia } from 'elysia'
import type { DocumentNode } from 'graphql'
import { createSchema, createYoga, type YogaLogger } from 'graphql-yoga'
import type { Config } from '../config'
import { UNKNOWN_CLIENT, type ClientAddress, type SocketInfo } from '../http/client-address'
import type { Logger } from '../log'
import type { Services } from '../services'
import { isJsonPost, useBufferedJsonBody, type ServerContext } from './body'
import { boundedCache } from './cache'
import { createContext, type GraphqlContext } from './context'
import { maskError } from './errors'
import { fastPath } from './fast-path'
import { hardening } from './hardening'
import { graphiqlAssets, graphiqlPage, PLAYGROUND } from './playground'
import { useRedactedValues } from './redact'
import { resolvers } from './resolvers'
import { typeDefs } from './typeDefs'

export const GRAPHQL_PATH = '/graphql'
const CACHE_ENTRIES = 1000
const CACHE_KEY_CHARS = 16 * 1024

function yogaLogger(logger: Logger): YogaLogger {
  const at = (write: Logger['error']) => (...args: unknown[]) => write('graphql', args.length === 1 ? args[0] : args)
  return { debug: at(logger.debug), info: at(logger.info), warn: at(logger.warn), error: at(logger.error) }
}

/**
 * Yoga over the same services as REST, with madblog's limits, caches and body handling, and the fast path
 * that answers the common request (one JSON operation) as yoga would, without its generic layers.
 */
export function createGraphqlServer(
  services: Services,
  config: Config,
  logger: Logger,
  clientOf: (request: Request) => string = () => UNKNOWN_CLIENT,
) {
  const settings = config.graphql
  const schema = createSchema<GraphqlContext>({ typeDefs, resolvers })
  const contextFor = (request: Request) => createContext(services, request, clientOf)
  const yoga = createYoga<ServerContext, GraphqlContext>({
    graphqlEndpoint: GRAPHQL_PATH,
    schema,
    context: ({ request }) => contextFor(request),
    logging: yogaLogger(logger),
    maskedErrors: { maskError },
    // Elysia answers CORS (one policy for both faces) and bounds every body before a route sees it.
    cors: false,
    maxRequestBodySize: false,
    multipart: false,
    batching: { limit: settings.maxBatch },
    landingPage: false,
    graphiql: settings.introspection ? PLAYGROUND : false,
    renderGraphiQL: graphiqlPage,
    parserAndValidationCache: {
      documentCache: boundedCache(CACHE_ENTRIES, CACHE_KEY_CHARS),
      errorCache: boundedCache(CACHE_ENTRIES, CACHE_KEY_CHARS),
    },
    plugins: [...hardening(settings), useBufferedJsonBody(), useRedactedValues()],
  })
  const documents = boundedCache<DocumentNode>(CACHE_ENTRIES, CACHE_KEY_CHARS)
  return { yoga, fast: fastPath({ yoga, schema, contextFor, documents, logger }) }
}

/** The GraphQL face, mounted at /graphql with one `.use(...)`. */
export function graphql(services: Services, config: Config, logger: Logger, addressOf: ClientAddress) {
  const settings = config.graphql
  // The listening server, known once it starts; it tells the rate limits each request's socket address.
  let server: SocketInfo = null
  const { yoga, fast } = createGraphqlServer(services, config, logger, (request) => addressOf(request, server))

  // The playground needs introspection; with it off, neither the page nor its files are served.
  return new Elysia({ name: 'graphql' })
    .onStart((app) => void (server = app.server))
    .use(settings.introspection ? graphiqlAssets() : new Elysia({ name: 'no-graphiql' }))
    .get(GRAPHQL_PATH, async ({ request }) => finished(request, await yoga.handleRequest(request, {})), { detail: { hide: true } })
    .post(
      GRAPHQL_PATH,
      async ({ request }) => {
        if (!isJsonPost(request)) return finished(request, await yoga.handleRequest(request, {}))
        const bufferedBody = await request.text()
        return finished(request, await (fast(request, bufferedBody) ?? yoga.handleRequest(request, { bufferedBody })))
      },
      { parse: 'none', detail: { hide: true } },
    )
}

const NOT_ACCEPTABLE = JSON.stringify({
  errors: [
    {
      message:
        'The Accept header allows no media type /graphql answers in: application/graphql-response+json, application/json, text/event-stream or multipart/mixed, in UTF-8.',
      extensions: { code: 'NOT_ACCEPTABLE' },
    },
  ],
})

/**
 * What every /graphql answer gets on its way out, whichever path made it. Yoga's 406 has an empty body: it
 * becomes JSON like every other refusal. Any POST may carry a token (createToken can sit under any alias,
 * fragment or batch entry, and come back as JSON, an event stream or multipart), so rather than inspect
 * answers, none of them is stored; this overrides the `no-cache` of yoga's event streams. GET runs only
 * queries, and no query returns a token.
 */
function finished(request: Request, response: Response): Response {
  const answer =
    response.status === 406
      ? new Response(NOT_ACCEPTABLE, { status: 406, headers: { 'content-type': 'application/json; charset=utf-8' } })
      : response
  if (request.method === 'POST') answer.headers.set('cache-control', 'no-store')
  return answer
}
