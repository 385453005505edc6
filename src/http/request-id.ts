import { Elysia } from 'elysia'
import { requestScope } from '../log'

export const REQUEST_ID_HEADER = 'x-request-id'
// Visible ASCII only, so that a client's id can go into a log line or a header as it is.
const SANE = /^[\x21-\x7e]{1,128}$/

/** The client's X-Request-Id when it is sane (1 to 128 visible ASCII characters), else a new one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER)
  return given !== null && SANE.test(given) ? given : crypto.randomUUID()
}

/**
 * Every request gets an id, echoed in X-Request-Id on every answer (errors too) and carried by every log line
 * written while it is served (the logger reads it from `requestScope`).
 */
export const requestId = new Elysia({ name: 'request-id' }).onRequest(({ request, set }) => {
  const id = requestIdOf(request)
  requestScope.enterWith({ requestId: id })
  set.headers[REQUEST_ID_HEADER] = id
})
