import { Elysia, t } from 'elysia'
import type { Awaitable } from '../db/store'
import { errorBody } from './errors'
import { models } from './models'

export const READY_PATH = '/readyz'

/** GET /readyz: 200 when the database can serve, else 503 saying why. /api/ping stays the liveness check. */
export function readinessController(notReadyBecause: () => Awaitable<string | undefined>) {
  return new Elysia({ name: 'readiness', tags: ['health'] }).use(models).get(
    READY_PATH,
    async ({ status }) => {
      const reason = await notReadyBecause()
      return reason === undefined ? { status: 'ready' as const } : status(503, errorBody(503, reason) as { error: string; message: string })
    },
    {
      response: { 200: t.Object({ status: t.Literal('ready') }, { description: 'Ready to serve' }), 503: 'NotReady' },
      detail: {
        summary: 'Check that the service can serve',
        description:
          'Readiness: the database answers a query, its file is still the one opened, and every migration has run. For load balancers and orchestrators; `madblog healthcheck` asks it.',
        security: [],
      },
    },
  )
}
