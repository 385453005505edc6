import { Elysia } from 'elysia'
import type { OpenAPIV3_1 } from 'openapi-types'

// Flask's jsonify('Pong!'): a JSON string, not plain text.
const PONG = JSON.stringify('Pong!')
const json = (name: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } })

/** Documented by hand: a string answer would be listed as text/plain, and this one is JSON. */
export const pingPath = {
  get: {
    operationId: 'getApiPing',
    tags: ['health'],
    summary: 'Check that the service answers',
    description: 'Liveness: answers while the process serves. GET /readyz also checks the database.',
    security: [],
    responses: {
      200: { description: 'The service is up', content: { 'application/json': { schema: { type: 'string', enum: ['Pong!'] } } } },
      // The body limit answers these before any route.
      411: { description: 'A chunked body: send a Content-Length', content: json('LengthRequired') },
      413: { description: 'A body over MAX_BODY_BYTES, refused before it is read', content: json('PayloadTooLarge') },
    },
  },
} satisfies OpenAPIV3_1.PathItemObject

export const pingController = new Elysia({ name: 'ping', tags: ['health'] }).get(
  '/api/ping',
  ({ set }) => {
    set.headers['content-type'] = 'application/json'
    return PONG
  },
  { detail: { hide: true } },
)
