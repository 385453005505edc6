import { Elysia } from 'elysia'
import { PayloadTooLargeError } from './errors'

/**
 * Refuses a declared body over the limit before it is read. Bodies without a length (chunked) are
 * capped by the server's own maxRequestBodySize, set to the same value at listen time.
 */
export function bodyLimit(maxBytes: number) {
  return new Elysia({ name: 'body-limit' }).onRequest(({ request }) => {
    const length = Number(request.headers.get('content-length') ?? 0)
    if (length > maxBytes) throw new PayloadTooLargeError(`Body over ${maxBytes} bytes`)
  })
}
