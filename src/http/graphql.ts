import { Elysia, type Context } from 'elysia'
import type { GraphqlSettings } from '../config'
import type { GraphqlServer } from '../graphql'
import { GRAPHQL_PATH } from '../graphql/endpoint'
import type { ServerContext } from '../graphql/context'
import { graphiqlAssets } from '../graphql/playground'
import { requestScope } from '../log'
import type { Services } from '../services'
import { andThen, type Awaitable } from '../db/store'
import { callerOf } from './auth'
import type { clientAddresses } from './client-address'
import { isJsonMediaType } from './json-body'
import { requestIdOf } from './request-id'
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
  // madblog's own lines name their request; yoga's know none, so they read it from this scope (src/log.ts). Only
  // here: holding a scope makes every await dearer (3 of a REST read's 19 CPU µs).
  const answer = (request: Request, set: Context['set'], context: ServerContext) =>
    requestScope.run({ requestId: requestIdOf(set) ?? '' }, () => yoga().handleRequest(request, context))
  // The playground needs introspection; with it off, neither the page nor its files are served.
  return new Elysia({ name: 'graphql' })
    .use(addresses)
    .use(settings.introspection ? graphiqlAssets() : new Elysia({ name: 'no-graphiql' }))
    .get(
      GRAPHQL_PATH,
      ({ request, set, clientAddress }) => {
        Object.assign(set.headers, GRAPHIQL_PAGE_HEADERS)
        return andThen(serverContext(request, clientAddress), (context) => answer(request, set, context))
      },
      { clientAddress: true, detail: { hide: true } },
    )
    .post(
      GRAPHQL_PATH,
      async ({ request, set, clientAddress }) => {
        const context = await serverContext(request, clientAddress)
        if (isJsonMediaType(request.headers.get('content-type'))) context.bufferedBody = await request.text()
        return answer(request, set, context)
      },
      {
        parse: 'none',
        clientAddress: true,
        detail: { hide: true },
      },
    )
}
