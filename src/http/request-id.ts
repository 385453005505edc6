import { Elysia } from 'elysia'

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

/** Every request gets an id, echoed in X-Request-Id on every answer (errors too) and on every log line about it. */
export const requestId = new Elysia({ name: 'request-id' }).onRequest(({ request, set }) => {
  const id = chooseRequestId(request)
  ids.set(request, id)
  set.headers[REQUEST_ID_HEADER] = id
})
