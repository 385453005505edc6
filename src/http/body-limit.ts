import { Elysia } from 'elysia'
import { LengthRequiredError, PayloadTooLargeError } from './errors'
import { models } from './models'

/**
 * Refuses an oversized body before a byte of it is read, from its declared length. A chunked body has
 * none, so it is refused too (411): clients of a JSON API always know their body's length up front.
 */
export function bodyLimit(maxBytes: number) {
  return (
    new Elysia({ name: 'body-limit' })
      .onRequest(({ request }) => {
        if (request.headers.get('transfer-encoding')?.toLowerCase().includes('chunked'))
          throw new LengthRequiredError('Chunked bodies are not accepted')
        const length = Number(request.headers.get('content-length') ?? 0)
        if (length > maxBytes) throw new PayloadTooLargeError(`Body over ${maxBytes} bytes`)
      })
      // Any route can answer these two, so every route's documentation lists them.
      .use(models)
      .guard({ as: 'global', response: { 411: 'LengthRequired', 413: 'PayloadTooLarge' } })
  )
}
