import { describe, expect, test } from 'bun:test'
import { sqliteOnly, testApp, testConfig } from './helpers'
import { scratchDir, signUp, startServer } from './process/server'
import { until } from './until'

/** `promtool check metrics` (Debian's prometheus package): the exposition format and Prometheus' naming rules. */
async function promtoolCheck(text: string) {
  const child = Bun.spawn(['promtool', 'check', 'metrics'], { stdin: new Blob([text]), stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, output: `${out}${err}` }
}

const scrape = async (app: ReturnType<typeof testApp>['app']) => (await app.metrics!.answer(new Request('http://metrics/metrics'))).text()
const sample = (text: string, series: string) =>
  Number(text.split('\n').find((line) => line.startsWith(`${series} `))?.slice(series.length + 1) ?? Number.NaN)

describe('metrics', () => {
  test('without METRICS_PORT there are none: no registry, and /metrics is no route of the API', async () => {
    const { app, call } = testApp()
    expect(app.metrics).toBeUndefined()
    expect((await call('GET', '/metrics')).status).toBe(404)
  })

  test('requests by method, route and status; hash refusals, rate-limit refusals, queue depth; promtool accepts them', async () => {
    // One hash at a time and none waiting, held open: a second registration is refused at once.
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const hasher = { hash: async () => (await held, 'hash'), verify: async () => false }
    const { app, call } = testApp(
      { metricsPort: 0, hashQueue: { concurrency: 1, maxWaiting: 0 }, rateLimits: { ...testConfig().rateLimits, loginMaxFailures: 1 } },
      { hasher },
    )
    await call('GET', '/api/ping')
    await call('GET', '/api/users/7')
    await call('GET', '/nowhere')
    const first = call('POST', '/api/users', { body: { username: 'ann', email: 'ann@example.com', password: 'pw' } })
    expect((await call('POST', '/api/users', { body: { username: 'bob', email: 'bob@example.com', password: 'pw' } })).status).toBe(503)
    expect(sample(await scrape(app), 'madblog_password_hash_running')).toBe(1)
    release()
    await first
    for (let attempt = 0; attempt < 3; attempt++) await call('POST', '/api/tokens', { basic: ['ann', 'wrong'] })
    let text = ''
    await until(() => {
      void scrape(app).then((scraped) => (text = scraped))
      return sample(text, 'madblog_http_requests_total{method="POST",route="/api/tokens",status="429"}') >= 1
    })
    expect(sample(text, 'madblog_http_requests_total{method="GET",route="/api/ping",status="200"}')).toBe(1)
    expect(sample(text, 'madblog_http_requests_total{method="GET",route="/api/users/:id",status="401"}')).toBe(1)
    expect(sample(text, 'madblog_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1)
    expect(sample(text, 'madblog_http_request_duration_seconds_count{method="GET",route="/api/ping",status="200"}')).toBe(1)
    expect(sample(text, 'madblog_password_hash_refusals_total')).toBe(1)
    expect(sample(text, 'madblog_password_hash_queue_depth')).toBe(0)
    expect(sample(text, 'madblog_rate_limit_refusals_total{limit="login"}')).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'madblog_rate_limit_refusals_total{limit="registration"}')).toBe(0)
    expect(sample(text, 'madblog_database_errors_total')).toBe(0)
    expect(text).toContain('process_resident_memory_bytes')
    const check = await promtoolCheck(text)
    expect(check.code, check.output).toBe(0)
  })

  // SQLite's own trigger: a test of SQLite itself.
  sqliteOnly('a request that fails on a database error counts as one', async () => {
    const { app, call, database } = testApp({ metricsPort: 0 })
    database.sqlite.run(`CREATE TRIGGER refuse BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'refused'); END`)
    expect((await call('POST', '/api/users', { body: { username: 'ann', email: 'ann@example.com', password: 'pw' } })).status).toBe(500)
    expect(sample(await scrape(app), 'madblog_database_errors_total')).toBe(1)
  })

  test('the real server serves them on METRICS_PORT, a listener of its own, and never on the public port', async () => {
    const scratch = scratchDir()
    const server = await startServer(`${scratch.dir}/metrics.db`, { METRICS_PORT: '0' })
    try {
      const metricsPort = Number((await server.line(/ metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1])
      expect(metricsPort).not.toBe(server.port)
      await signUp(server.base, 'ann')
      expect((await fetch(`${server.base}/metrics`)).status).toBe(404)
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      expect(response.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
      const text = await response.text()
      expect(sample(text, 'madblog_http_requests_total{method="POST",route="/api/users",status="201"}')).toBe(1)
      const check = await promtoolCheck(text)
      expect(check.code, check.output).toBe(0)
    } finally {
      server.process.kill('SIGTERM')
      expect(await server.process.exited).toBe(0)
      scratch.remove()
    }
  }, 30_000)
})
