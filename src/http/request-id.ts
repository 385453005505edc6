import { Elysia } from 'elysia'
import { GRAPHQL_PATH } from '../graphql/endpoint'
import { requestScope } from '../log'

export const REQUEST_ID_HEADER = 'x-request-id'
// Visible ASCII only, so that a client's id can go into a log line or a header as it is.
const SANE = /^[\x21-\x7e]{1,128}$/
const ids = new WeakMap<Request, string>()

/** The client's X-Request-Id when it is sane (1 to 128 visible ASCII characters), else a new one. */
export function chooseRequestId(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER)
  return given !== null && SANE.test(given) ? given : crypto.randomUUID()
}

/** The id `request` was given on arrival, for the lines logged about it. */
export const requestIdOf = (request: Request) => ids.get(request)

/** Whether the URL's path is /graphql, read without parsing the whole URL. */
function isGraphql(url: string): boolean {
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2))
  return path.startsWith(GRAPHQL_PATH) && (path.length === GRAPHQL_PATH.length || path[GRAPHQL_PATH.length] === '?')
}

/**
 * Every request gets an id, echoed in X-Request-Id on every answer (errors too) and on every log line about it.
 * madblog's own lines name it; yoga's know no request, so a GraphQL request also runs in a `requestScope` the
 * logger reads. Only GraphQL: holding a scope makes every await dearer (3 of a REST read's 19 CPU µs).
 */
export const requestId = new Elysia({ name: 'request-id' }).onRequest(({ request, set }) => {
  const id = chooseRequestId(request)
  ids.set(request, id)
  set.headers[REQUEST_ID_HEADER] = id
  if (isGraphql(request.url)) requestScope.enterWith({ requestId: id })
})
