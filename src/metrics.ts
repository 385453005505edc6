import { SQLiteError } from 'bun:sqlite'
import { Elysia } from 'elysia'
import type { Registry } from 'prom-client'
import { answeredStatus } from './http/request-log'
import type { ServiceObserver, Services } from './services'
import type { RateLimit } from './services/rate-limits'

type PromClient = typeof import('prom-client')

export const METRICS_PATH = '/metrics'
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])

/**
 * The process metrics Prometheus' client libraries share. prom-client's own set is made for Node: under Bun half of
 * it reads zero, and promtool refuses its `nodejs_active_*_total` gauges.
 */
function processMetrics(registry: Registry, { Counter, Gauge }: PromClient) {
  const startTime = Math.round(Date.now() / 1000 - process.uptime())
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage()
      this.reset()
      this.inc((user + system) / 1e6)
    },
  })
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size, in bytes',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss())
    },
  })
  new Gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the epoch, in seconds', registers: [registry] }).set(startTime)
}

/**
 * Prometheus metrics, made only when METRICS_PORT is set: with it unset, no registry, hook or listener exists.
 * Labels are bounded (route patterns, known methods, status codes), so no client can grow the series.
 */
export function createMetrics() {
  // Loaded here, not imported: with METRICS_PORT unset the library is never even read (about 4 MiB of RSS).
  const client = require('prom-client') as PromClient
  const { Counter, Gauge, Histogram } = client
  const registry = new client.Registry()
  processMetrics(registry, client)
  const labelNames = ['method', 'route', 'status'] as const
  const requests = new Counter({ name: 'madblog_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] })
  const durations = new Histogram({
    name: 'madblog_http_request_duration_seconds',
    help: 'Time from arrival to answer',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const hashRefusals = new Counter({
    name: 'madblog_password_hash_refusals_total',
    help: 'Password hashes refused (503) because PASSWORD_HASH_QUEUE was full',
    registers: [registry],
  })
  const rateLimited = new Counter({
    name: 'madblog_rate_limit_refusals_total',
    help: 'Attempts refused (429) by the login or registration limits',
    labelNames: ['limit'] as const,
    registers: [registry],
  })
  const databaseErrors = new Counter({
    name: 'madblog_database_errors_total',
    help: 'Requests that failed on a database error (answered 500, or 503 when the disk or file fails)',
    registers: [registry],
  })
  for (const limit of ['login', 'registration'] satisfies RateLimit[]) rateLimited.inc({ limit }, 0)

  const observer: ServiceObserver = {
    hashRefused: () => hashRefusals.inc(),
    rateLimited: (limit) => rateLimited.inc({ limit }),
  }

  /** Reads the hash queue's load when scraped, so that serving requests costs nothing for it. */
  function watchHashing(hashing: Services['hashing']) {
    new Gauge({
      name: 'madblog_password_hash_queue_depth',
      help: 'Password hashes waiting for a turn',
      registers: [registry],
      collect() {
        this.set(hashing.load().waiting)
      },
    })
    new Gauge({
      name: 'madblog_password_hash_running',
      help: 'Password hashes running now (at most PASSWORD_HASH_CONCURRENCY)',
      registers: [registry],
      collect() {
        this.set(hashing.load().running)
      },
    })
  }

  /** Counts what the error mapper logged (a 500, or a 503 for a failing disk); SQLite's errors are the database's. */
  const failed = (error: unknown) => void (error instanceof SQLiteError && databaseErrors.inc())

  /** Every answer, counted and timed by method, route pattern and status. */
  function plugin() {
    const started = new WeakMap<Request, number>()
    return new Elysia({ name: 'metrics' })
      .onRequest(({ request }) => void started.set(request, performance.now()))
      .onAfterResponse({ as: 'global' }, ({ request, route, set, responseValue }) => {
        const seconds = (performance.now() - (started.get(request) ?? performance.now())) / 1000
        const status = String(answeredStatus(set, responseValue))
        const labels = { method: METHODS.has(request.method) ? request.method : 'OTHER', route: route || 'unmatched', status }
        requests.inc(labels)
        durations.observe(labels, seconds)
      })
  }

  /** The second listener's handler: GET /metrics in Prometheus text, and nothing else. */
  async function answer(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (request.method !== 'GET' || pathname !== METRICS_PATH) return new Response('Not Found', { status: 404 })
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } })
  }

  return { registry, observer, watchHashing, failed, plugin, answer }
}

export type Metrics = ReturnType<typeof createMetrics>
