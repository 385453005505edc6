import { Elysia } from 'elysia'
import type { Logger } from '../log'

/** One line per request: method, path, status, duration. At LOG_LEVEL=error it stays silent. */
export function requestLog(logger: Logger) {
  const started = new WeakMap<Request, number>()
  return new Elysia({ name: 'request-log' })
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: 'global' }, ({ request, path, set }) => {
      const ms = performance.now() - (started.get(request) ?? performance.now())
      logger.info(`${request.method} ${path} ${set.status ?? 200} ${ms.toFixed(1)}ms`)
    })
}
