import { Elysia } from 'elysia'

export const REQUEST_ID_HEADER = 'x-request-id'
// Visible ASCII only, so that a client's id can go into a log line or a header as it is.
const SANE = /^[\x21-\x7e]{1,128}$/

/** The client's X-Request-Id when it is sane (1 to 128 visible ASCII characters), else a new one. */
export function chooseRequestId(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER)
  return given !== null && SANE.test(given) ? given : crypto.randomUUID()
}

/** The id a request was given on arrival, for the lines logged about it: its answer's header, set first of all. */
export const requestIdOf = (set: { headers: Record<string, unknown> }) => set.headers[REQUEST_ID_HEADER] as string | undefined

/** Every request gets an id, echoed in X-Request-Id on every answer (errors too) and on every log line about it. */
export const requestId = new Elysia({ name: 'request-id' }).onRequest(({ request, set }) => {
  set.headers[REQUEST_ID_HEADER] = chooseRequestId(request)
})
