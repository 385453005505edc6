import { Elysia } from 'elysia'
import { LOG_LEVELS, type LogLevel } from '../config'
import type { Logger } from '../log'
import { requestIdOf } from './request-id'

/** The status an answer went out with: a handler that returns a Response (the preflight, yoga's answers) sets it there. */
export const answeredStatus = (set: { status?: unknown }, responseValue: unknown): number =>
  responseValue instanceof Response ? responseValue.status : typeof set.status === 'number' ? set.status : 200

/**
 * One line per request: method, path, route, status, duration and the request id. Above
 * LOG_LEVEL=info it adds no hook at all. `logged()` resolves once every request that arrived has its line:
 * Elysia writes it after the answer is sent, so a stop must wait for it before the process exits.
 */
export function requestLog(logger: Logger, level: LogLevel) {
  const started = new Map<Request, number>()
  let settle: (() => void) | undefined
  const logged = () => (started.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (settle = resolve)))
  if (LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf('info')) return { plugin: new Elysia({ name: 'request-log' }), logged }
  const plugin = new Elysia({ name: 'request-log' })
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: 'global' }, ({ request, path, route, set, responseValue }) => {
      const ms = performance.now() - (started.get(request) ?? performance.now())
      started.delete(request)
      const status = answeredStatus(set, responseValue)
      logger.info(`${request.method} ${path} ${status} ${ms.toFixed(1)}ms`, undefined, {
        method: request.method,
        path,
        route: route || null,
        status,
        duration_ms: Number(ms.toFixed(3)),
        request_id: requestIdOf(set),
      })
      if (started.size === 0) settle?.()
    })
  return { plugin, logged }
}
