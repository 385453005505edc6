/**
 * `bun run soak`: madblog under a steady mix of reads, writes, logins and GraphQL at 64 connections for a few
 * minutes, on a fresh seeded database. Passes when no request failed (socket error or timeout), none answered
 * 5xx or anything but the status its workload expects, and RSS at the end is within 10% of RSS after warm-up.
 * Not part of `bun test`; exits 1 on a failure. Writes bench/results/soak.json.
 *
 * Options: --seconds N (180), --warm-up N (30, the seconds before the reference RSS), --port N (5450; 0 picks a free one),
 * --source (run src/cli.ts instead of dist/madblog, which is built first when missing or stale).
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { encodeGlobalId } from '../src/graphql/ids'
import { freePort, rssMb, startServer } from './processes'
import { loadTestEnv, logIn, madblogCommand, seededBasic } from './madblog'
import { SEED_USERS, seedDatabase } from './seed'
import { requestsPerSecond, runWrk, type Load, type WrkReport } from './wrk'

const SAMPLE_EVERY_MS = 2000
/** RSS is compared as the median of the samples in a window this long, so one sample's luck (an argon2id run's
 * 64 MiB just allocated or just freed) does not decide the verdict. */
const RSS_WINDOW_MS = 10_000
const RSS_TOLERANCE = 0.1

const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    'warm-up': { type: 'string', default: '30' },
    port: { type: 'string', default: '5450' },
    source: { type: 'boolean', default: false },
  },
})
const SECONDS = Number(options.seconds)
const WARM_UP = Number(options['warm-up'])
const PORT = options.port === '0' ? freePort() : Number(options.port)
if (!(SECONDS > 0) || !(WARM_UP >= 0) || WARM_UP * 1000 + 2 * RSS_WINDOW_MS > SECONDS * 1000 || !(PORT > 0)) {
  console.error(`soak: need --seconds > --warm-up + ${(2 * RSS_WINDOW_MS) / 1000} and a port; got --seconds ${options.seconds} --warm-up ${options['warm-up']}`)
  process.exit(2)
}
if (!Bun.which('wrk')) {
  console.error('soak: wrk is not installed. On Debian/Ubuntu: sudo apt-get install -y wrk')
  process.exit(1)
}
const { command, target } = madblogCommand(options.source)
const base = `http://127.0.0.1:${PORT}`
const seeded = await seedDatabase()
let server: Awaited<ReturnType<typeof startServer>>['process'] | undefined

interface Workload {
  name: string
  load: Omit<Load, 'url' | 'seconds'> & { path: string }
  /** The one status every answer should have. */
  expect: number
}

try {
  server = (await startServer(command, loadTestEnv(PORT, seeded.path), `${base}/api/ping`)).process
  const pid = server.pid

  // Sessions for the readers and writers: seeded users 1 to 8, logged in once each before the load.
  const sessions = await Promise.all(Array.from({ length: 8 }, async (_, index) => ({ id: index + 1, token: await logIn(base, index + 1) })))
  const bearer = (index: number) => ({ Authorization: `Bearer ${sessions[index]!.token}` })
  const gql = (query: string) => JSON.stringify({ query })
  const run = Date.now().toString(36)
  const hashing = { timeoutSeconds: 30, statuses: true }
  const reading = { timeoutSeconds: 5, statuses: true }

  // 64 connections in all. Registrations and logins hash with argon2id at production cost (tens of ms to a
  // second each, depending on the machine), so they get few connections: more would only queue for a hash.
  const workloads: Workload[] = [
    { name: 'GET /api/users/:id', expect: 200, load: { path: '/api/users/1', script: 'request', args: ['GET'], headers: bearer(0), connections: 14, ...reading } },
    { name: 'GET /api/users (page 3 of 50)', expect: 200, load: { path: '/api/users?page=3&per_page=50', script: 'request', args: ['GET'], headers: bearer(1), connections: 10, ...reading } },
    { name: 'GraphQL user(id)', expect: 200, load: { path: '/graphql', script: 'request', args: ['POST', gql(`{ user(id: "${encodeGlobalId('User', 2)}") { id username email } }`)], headers: bearer(2), connections: 10, ...reading } },
    {
      name: 'GraphQL users(first: 20)',
      expect: 200,
      load: { path: '/graphql', script: 'request', args: ['POST', gql('{ users(first: 20) { edges { cursor node { id username } } pageInfo { hasNextPage endCursor } totalCount } }')], headers: bearer(3), connections: 8, ...reading },
    },
    { name: 'PUT /api/users/:id (rename)', expect: 200, load: { path: '/', script: 'put', args: [`s${run}`, ...sessions.slice(4).map(({ id, token }) => `${id}:${token}`)], connections: 14, ...reading } },
    { name: 'POST /api/tokens (login)', expect: 200, load: { path: '/api/tokens', script: 'request', args: ['POST'], headers: { Authorization: seededBasic(9) }, connections: 4, ...hashing } },
    { name: 'POST /api/users (register)', expect: 201, load: { path: '/api/users', script: 'register', args: [`r${run}`], connections: 4, ...hashing } },
  ]

  // One request of each GraphQL workload by hand: a GraphQL error still answers 200, and would soak nothing.
  for (const { load } of workloads.filter(({ load }) => load.path === '/graphql')) {
    const response = await fetch(base + load.path, { method: 'POST', headers: { ...load.headers, 'content-type': 'application/json' }, body: load.args![1] })
    const text = await response.text()
    if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${load.args![1]} answered ${response.status}: ${text}`)
  }

  console.log(
    `soak: madblog (${target}) on ${base}, ${SEED_USERS} seeded users, ` +
      `${workloads.reduce((sum, { load }) => sum + load.connections, 0)} connections for ${SECONDS} s (warm-up ${WARM_UP} s)`,
  )
  const started = performance.now()
  const samples: { at_s: number; rss_mb: number }[] = []
  const sampler = setInterval(() => {
    const sample = { at_s: (performance.now() - started) / 1000, rss_mb: rssMb(pid) }
    samples.push(sample)
    if (samples.length % 5 === 0) console.log(`  ${sample.at_s.toFixed(0).padStart(4)} s  RSS ${sample.rss_mb.toFixed(1)} MB`)
  }, SAMPLE_EVERY_MS)
  let reports: WrkReport[]
  try {
    reports = await Promise.all(workloads.map(({ load }) => runWrk({ ...load, url: base + load.path, seconds: SECONDS }, undefined, seeded.dir)))
  } finally {
    clearInterval(sampler)
  }
  if (server.exitCode !== null) throw new Error(`madblog exited during the soak (code ${server.exitCode})`)

  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? NaN
  const rssIn = (from_s: number, to_s: number) => median(samples.filter(({ at_s }) => at_s >= from_s && at_s < to_s).map(({ rss_mb }) => rss_mb))
  const warmRss = rssIn(WARM_UP, WARM_UP + RSS_WINDOW_MS / 1000)
  const endRss = rssIn(SECONDS - RSS_WINDOW_MS / 1000, SECONDS + 1)
  const peakRss = Math.max(...samples.map(({ rss_mb }) => rss_mb))

  const rows = workloads.map(({ name, expect, load }, index) => {
    const report = reports[index]!
    const statuses = report.statuses ?? {}
    const count = (test: (status: number) => boolean) =>
      Object.entries(statuses).reduce((sum, [status, n]) => sum + (test(Number(status)) ? n : 0), 0)
    const { connect, read, write, timeout } = report.errors
    return {
      name,
      connections: load.connections,
      requests: report.requests,
      rps: requestsPerSecond(report),
      p50_ms: report.latency_us.p50 / 1000,
      p99_ms: report.latency_us.p99 / 1000,
      max_ms: report.latency_us.max / 1000,
      statuses,
      expected: count((status) => status === expect),
      unexpected_4xx: count((status) => status >= 400 && status < 500),
      server_errors_5xx: count((status) => status >= 500),
      other: count((status) => status !== expect && (status < 400 || status >= 600)),
      failed: connect + read + write + timeout,
    }
  })
  const total = (key: 'requests' | 'rps' | 'expected' | 'unexpected_4xx' | 'server_errors_5xx' | 'other' | 'failed') =>
    rows.reduce((sum, row) => sum + row[key], 0)

  const table = [
    ['workload', 'conns', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'statuses', 'failed'],
    ...rows.map((row) => [
      row.name,
      String(row.connections),
      String(row.requests),
      row.rps.toFixed(row.rps < 100 ? 1 : 0),
      row.p50_ms.toFixed(2),
      row.p99_ms.toFixed(2),
      row.max_ms.toFixed(0),
      Object.entries(row.statuses).map(([status, n]) => `${status}×${n}`).join(' ') || 'none',
      String(row.failed),
    ]),
    ['all', String(rows.reduce((sum, row) => sum + row.connections, 0)), String(total('requests')), total('rps').toFixed(0), '', '', '', '', String(total('failed'))],
  ]
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)))
  console.log('')
  for (const row of table) console.log(row.map((cell, column) => (column === 0 || column === 7 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '))

  const growth = endRss / warmRss - 1
  const checks = [
    { name: 'failed requests (socket errors, timeouts)', pass: total('failed') === 0, value: String(total('failed')) },
    { name: '5xx answers', pass: total('server_errors_5xx') === 0, value: String(total('server_errors_5xx')) },
    { name: 'answers other than the workload\'s success (4xx, 1xx-3xx)', pass: total('unexpected_4xx') + total('other') === 0, value: String(total('unexpected_4xx') + total('other')) },
    {
      name: `RSS at the end within ${RSS_TOLERANCE * 100}% of RSS after warm-up`,
      pass: Number.isFinite(growth) && growth <= RSS_TOLERANCE,
      value: `${warmRss.toFixed(1)} MB after warm-up -> ${endRss.toFixed(1)} MB at the end (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%), peak ${peakRss.toFixed(1)} MB`,
    },
  ]
  console.log('')
  for (const check of checks) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.value}`)

  await Bun.write(
    join(import.meta.dir, 'results/soak.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        madblog: target,
        bun: Bun.version,
        settings: { seconds: SECONDS, warm_up_seconds: WARM_UP, seeded_users: SEED_USERS, sample_every_ms: SAMPLE_EVERY_MS, rss_window_ms: RSS_WINDOW_MS },
        workloads: rows,
        totals: { requests: total('requests'), rps: total('rps'), failed: total('failed'), server_errors_5xx: total('server_errors_5xx'), unexpected: total('unexpected_4xx') + total('other') },
        rss_mb: { after_warm_up: warmRss, end: endRss, peak: peakRss, growth, samples },
        pass: checks.every((check) => check.pass),
      },
      null,
      2,
    ) + '\n',
  )
  console.log('\nwritten to bench/results/soak.json')
  if (!checks.every((check) => check.pass)) process.exitCode = 1
} finally {
  server?.kill()
  rmSync(seeded.dir, { recursive: true, force: true })
}
