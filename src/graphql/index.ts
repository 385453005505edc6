import { createSchema, createYoga, type YogaLogger } from 'graphql-yoga'
import type { GraphqlSettings } from '../config'
import type { Logger } from '../log'
import type { Services } from '../services'
import { useBufferedJsonBody } from './body'
import { boundedCache } from './cache'
import { createContext, type GraphqlContext, type ServerContext } from './context'
import { GRAPHQL_PATH } from './endpoint'
import { domainErrorOf, maskError } from './errors'
import { hardening } from './hardening'
import { useKnownQueries } from './known-queries'
import { graphiqlPage, PLAYGROUND } from './playground'
import { useRedactedValues } from './redact'
import { resolvers } from './resolvers'
import { useResponsePolicy } from './responses'
import { typeDefs } from './typeDefs'

const CACHE_ENTRIES = 1000
const CACHE_KEY_CHARS = 16 * 1024

/**
 * Yoga logs every error its masking replaced; a service's refusal (a 404, a wrong password) is an answer, not a
 * fault, so only the others reach the log.
 */
function yogaLogger(logger: Logger): YogaLogger {
  const at = (write: Logger['error']) => (...args: unknown[]) => write('graphql', args.length === 1 ? args[0] : args)
  const error = at(logger.error)
  return {
    debug: at(logger.debug),
    info: at(logger.info),
    warn: at(logger.warn),
    error: (...args) => (args.length === 1 && domainErrorOf(args[0]) ? undefined : error(...args)),
  }
}

/** Yoga over the same services as REST, with madblog's limits, caches, error mapping, body handling, and known queries answered early. */
export function createGraphqlServer(services: Services, settings: GraphqlSettings, logger: Logger) {
  const schema = createSchema<ServerContext & GraphqlContext>({ typeDefs, resolvers })
  const contextFor = (serverContext: ServerContext) => createContext(services, serverContext)
  return createYoga<ServerContext, GraphqlContext>({
    graphqlEndpoint: GRAPHQL_PATH,
    schema,
    context: contextFor,
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
    plugins: [
      ...hardening(settings),
      useBufferedJsonBody(),
      useRedactedValues(),
      useResponsePolicy(),
      useKnownQueries(schema, contextFor, { entries: CACHE_ENTRIES, keyChars: CACHE_KEY_CHARS }),
    ],
  })
}

export type GraphqlServer = ReturnType<typeof createGraphqlServer>
