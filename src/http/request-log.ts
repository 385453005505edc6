import { Elysia } from 'elysia'
import { LOG_LEVELS, type LogLevel } from '../config'
import type { Logger } from '../log'

/** One line per request: method, path, status, duration. Above LOG_LEVEL=info it adds no hook at all. */
export function requestLog(logger: Logger, level: LogLevel) {
  const started = new WeakMap<Request, number>()
  if (LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf('info')) return new Elysia({ name: 'request-log' })
  return new Elysia({ name: 'request-log' })
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: 'global' }, ({ request, path, set }) => {
      const ms = performance.now() - (started.get(request) ?? performance.now())
      logger.info(`${request.method} ${path} ${set.status ?? 200} ${ms.toFixed(1)}ms`)
    })
}
