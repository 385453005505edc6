import { createGraphQLError, type Plugin } from 'graphql-yoga'
import type { ServerContext } from './context'

// A body that is not JSON never reached GraphQL: 400 whatever the client accepts (yoga's own parser answers 200
// under application/json, which the graphql-http audits flag).
const badRequest = (message: string, detail?: string) =>
  createGraphQLError(message, { extensions: { http: { status: 400 }, code: 'BAD_REQUEST', ...(detail ? { detail } : {}) } })

function parseBody(text: string): unknown {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw badRequest('POST body sent invalid JSON.', error instanceof Error ? error.message : undefined)
  }
  if (typeof body !== 'object' || body === null) throw badRequest(`POST body is expected to be an object, got ${body === null ? 'null' : typeof body}`)
  return body
}

/**
 * Parses the body the server already buffered (its size checked once, by the body limit in front of every
 * route). Yoga's own path would stream it again through a size-counting TransformStream, which on Bun
 * costs more than the whole GraphQL execution; registered after yoga's parsers, this one wins.
 */
export function useBufferedJsonBody(): Plugin<{}, ServerContext> {
  return {
    onRequestParse({ serverContext, setRequestParser }) {
      const text = serverContext.bufferedBody
      if (text !== undefined) setRequestParser(() => parseBody(text) as never)
    },
  }
}
