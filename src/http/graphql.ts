import { Elysia } from 'elysia'
import type { GraphqlSettings } from '../config'
import type { GraphqlServer } from '../graphql'
import { GRAPHQL_PATH } from '../graphql'
import type { ServerContext } from '../graphql/context'
import { graphiqlAssets } from '../graphql/playground'
import type { Services } from '../services'
import { andThen, type Awaitable } from '../db/store'
import { callerOf } from './auth'
import type { clientAddresses } from './client-address'
import { isJsonMediaType } from './json-body'

/**
 * The GraphQL face at /graphql: every request goes to yoga, with its caller and client address resolved here once,
 * before any resolver runs, and a JSON body already read (the body limit has bounded it).
 */
export function graphqlController(
  services: Services,
  yoga: GraphqlServer,
  settings: GraphqlSettings,
  addresses: ReturnType<typeof clientAddresses>,
) {
  const serverContext = (request: Request, clientAddress: string): Awaitable<ServerContext> =>
    andThen(callerOf(services, request), (caller) => ({ caller, clientAddress }))
  // The playground needs introspection; with it off, neither the page nor its files are served.
  return new Elysia({ name: 'graphql' })
    .use(addresses)
    .use(settings.introspection ? graphiqlAssets() : new Elysia({ name: 'no-graphiql' }))
    .get(GRAPHQL_PATH, async ({ request, clientAddress }) => acceptable(await yoga.handleRequest(request, await serverContext(request, clientAddress))), {
      clientAddress: true,
      detail: { hide: true },
    })
    .post(
      GRAPHQL_PATH,
      async ({ request, clientAddress }) => {
        const context = await serverContext(request, clientAddress)
        if (isJsonMediaType(request.headers.get('content-type'))) context.bufferedBody = await request.text()
        const response = acceptable(await yoga.handleRequest(request, context))
        // Any POST may carry a token: createToken can sit under any alias, fragment or batch entry, and come back as
        // JSON, an event stream or multipart, so rather than inspect answers, none of them is stored (this overrides
        // the no-cache of yoga's event streams). GET runs only queries, and no query returns a token.
        response.headers.set('cache-control', 'no-store')
        return response
      },
      {
        parse: 'none',
        clientAddress: true,
        detail: { hide: true },
      },
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

/** Yoga's 406 has an empty body: it becomes JSON saying why, like every other refusal. */
const acceptable = (response: Response): Response =>
  response.status === 406 ? new Response(NOT_ACCEPTABLE, { status: 406, headers: { 'content-type': 'application/json; charset=utf-8' } }) : response
