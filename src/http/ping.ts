import { Elysia } from 'elysia'
import { FramingErrors } from './models'

// Flask's jsonify('Pong!'): a JSON string, not plain text.
const PONG = JSON.stringify('Pong!')

export const pingController = new Elysia({ name: 'ping', tags: ['health'] }).get(
  '/api/ping',
  ({ set }) => {
    set.headers['content-type'] = 'application/json'
    return PONG
  },
  {
    detail: {
      summary: 'Check that the service answers',
      responses: {
        200: {
          description: 'The service is up',
          content: { 'application/json': { schema: { type: 'string', enum: ['Pong!'] } } },
        },
        // Listed by hand, as this route's responses are: the body limit answers before any route.
        ...Object.fromEntries(
          Object.entries(FramingErrors).map(([status, schema]) => [
            status,
            { description: schema.description, content: { 'application/json': { schema } } },
          ]),
        ),
      },
    },
  },
)
