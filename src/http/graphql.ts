import { Elysia } from 'elysia'
import type { GraphqlSettings } from '../config'
import type { GraphqlServer } from '../graphql'
import { GRAPHQL_PATH } from '../graphql/endpoint'
import type { ServerContext } from '../graphql/context'
import { graphiqlAssets } from '../graphql/playground'
import type { Services } from '../services'
import { andThen, type Awaitable } from '../db/store'
import { callerOf } from './auth'
import type { clientAddresses } from './client-address'
import { isJsonMediaType } from './json-body'
import { GRAPHIQL_PAGE_HEADERS } from './security-headers'

/**
 * The GraphQL face at /graphql: every request goes to yoga, with its caller and client address resolved here once,
 * before any resolver runs, and a JSON body already read (the body limit has bounded it). `yoga` builds the
 * server on its first call.
 */
export function graphqlController(
  services: Services,
  yoga: () => GraphqlServer,
  settings: GraphqlSettings,
  addresses: ReturnType<typeof clientAddresses>,
) {
  // Synchronous on SQLite; on PostgreSQL the caller's lookup is awaited first.
  const serverContext = (request: Request, clientAddress: string): Awaitable<ServerContext> =>
    andThen(callerOf(services, request), (caller) => ({ caller, clientAddress }))
  // The playground needs introspection; with it off, neither the page nor its files are served.
  return new Elysia({ name: 'graphql' })
    .use(addresses)
    .use(settings.introspection ? graphiqlAssets() : new Elysia({ name: 'no-graphiql' }))
    .get(
      GRAPHQL_PATH,
      ({ request, set, clientAddress }) => {
        Object.assign(set.headers, GRAPHIQL_PAGE_HEADERS)
        return andThen(serverContext(request, clientAddress), (context) => yoga().handleRequest(request, context))
      },
      { clientAddress: true, detail: { hide: true } },
    )
    .post(
      GRAPHQL_PATH,
      async ({ request, clientAddress }) => {
        const context = await serverContext(request, clientAddress)
        if (isJsonMediaType(request.headers.get('content-type'))) context.bufferedBody = await request.text()
        return yoga().handleRequest(request, context)
      },
      {
        parse: 'none',
        clientAddress: true,
        detail: { hide: true },
      },
    )
}
