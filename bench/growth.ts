/**
 * `bun run bench --users N`: what grows with the table. For 1,000 users and for N, a fresh database seeded with
 * that many (bench/seed.ts, which times the count migrations building their counts from those rows), madblog
 * started on it three times (the median time to first answer), its idle RSS, then CPU µs per request at 16
 * connections for one user and every list shape, RSS under that load, and what writes cost the service with and
 * without the count triggers (bench/writes.ts). With `--database postgres://…`, each size is moved into a fresh
 * PostgreSQL database by `transfer` and madblog runs on that; the writes are measured on SQLite only.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { encodeCursor } from '../src/graphql/connection'
import { encodeGlobalId } from '../src/graphql/ids'
import { freePort, peakRss, rssMb, startServer } from './processes'
import { loadTestEnv, logIn } from './madblog'
import { SEED_AUTHORS, seedDatabase, seedPostgres } from './seed'
import { check, median, pinned, runWrk, summarize, type Load, type Summary } from './wrk'

export const GROWTH_CONNECTIONS = 16
const WARM_UP_SECONDS = 2
const STARTS = 3
const WRITES_PER_ROUND = 200
const WRITE_ROUNDS = 11

export const LIST_SHAPES = [
  'restFirst',
  'restMiddle',
  'restLast',
  'gqlFirst',
  'gqlLast',
  'gqlDeep',
  'postsFirst',
  'postsMiddle',
  'postsLast',
  'authorPosts',
  'authorPostsLast',
  'gqlPostsFirst',
  'gqlPostsDeep',
  'gqlPostsLast',
  'gqlPostsBefore',
  'gqlAuthorPostsDeep',
] as const
export const GROWTH_LABELS: Record<'user' | (typeof LIST_SHAPES)[number], string> = {
  user: 'GET /api/users/1',
  restFirst: 'REST first page of 20',
  restMiddle: 'REST middle page of 20',
  restLast: 'REST last page of 20',
  gqlFirst: 'GraphQL users(first: 20) + totalCount',
  gqlLast: 'GraphQL users(last: 20) + totalCount',
  gqlDeep: 'GraphQL users(first: 20, after: middle)',
  postsFirst: 'REST first page of 20 posts',
  postsMiddle: 'REST middle page of 20 posts',
  postsLast: 'REST last page of 20 posts',
  authorPosts: "REST an author's first page of 20 posts",
  authorPostsLast: "REST an author's last page of 20 posts",
  gqlPostsFirst: 'GraphQL posts(first: 20) with authors + totalCount',
  gqlPostsDeep: 'GraphQL posts(first: 20, after: middle) with authors',
  gqlPostsLast: 'GraphQL posts(last: 20) with authors + totalCount',
  gqlPostsBefore: 'GraphQL posts(last: 20, before: middle) with authors',
  gqlAuthorPostsDeep: "GraphQL an author's posts(first: 20, after: middle)",
}
type WorkloadKey = keyof typeof GROWTH_LABELS
type Writes = Record<'with_triggers' | 'without_triggers', Record<'register' | 'rename' | 'remove', number>>

export interface SizeResult {
  users: number
  seed_ms: number
  counts_migration_ms: number
  first_answer_ms: number
  first_answer_runs_ms: number[]
  idle_rss_mb: number
  load_rss_mb: number
  workloads: Record<WorkloadKey, Summary>
  /** SQLite only. */
  writes?: Writes
}

export interface Growth {
  connections: number
  sizes: SizeResult[]
  /** Workloads with a failed or non-2xx answer, with how many. */
  failed_requests: string[]
  targets: Record<string, { value: number; target: string; pass: boolean }>
}

export interface GrowthOptions {
  users: number
  rounds: number
  seconds: number
  command: string[]
  serverCpus?: string
  wrkCpus?: string
  scratch: string
  /** A PostgreSQL server to measure on instead of the SQLite file (bench/seed.ts makes a database on it). */
  postgres?: string
}

function workloads(users: number, bearer: Record<string, string>, seconds: number): Record<WorkloadKey, Omit<Load, 'url'> & { path: string }> {
  const get = (path: string) => ({ path, script: 'request', args: ['GET'], headers: bearer, connections: GROWTH_CONNECTIONS, seconds })
  const graphql = (args: string) => ({
    ...get('/graphql'),
    args: ['POST', JSON.stringify({ query: `{ users(${args}) { totalCount edges { cursor node { id username } } pageInfo { hasNextPage hasPreviousPage endCursor } } }` })],
  })
  const lastPage = Math.ceil(users / 20)
  const page = (n: number) => get(`/api/users?page=${n}&per_page=20`)
  // As many posts as users (bench/seed.ts), post n by author (n - 1) % 100 + 1; public, so sent without the token.
  const posts = (n: number) => ({ ...get(`/api/posts?page=${n}&per_page=20`), headers: {} })
  const postsQuery = (args: string) => ({
    ...get('/graphql'),
    headers: {},
    args: ['POST', JSON.stringify({ query: `{ posts(${args}) { totalCount edges { cursor node { id title author { id username } } } pageInfo { hasNextPage endCursor } } }` })],
  })
  const postCursor = (id: number) => encodeCursor(id, 'post:')
  const authors = Math.min(users, SEED_AUTHORS)
  // Author 1 wrote posts 1, 1 + authors, 1 + 2 × authors, …: the middle one of theirs is one of those.
  const authorsMiddle = Math.floor(Math.ceil(users / authors) / 2) * authors + 1
  const authorQuery = `{ user(id: "${encodeGlobalId('User', 1)}") { posts(first: 20, after: "${postCursor(authorsMiddle)}") { totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } } }`
  return {
    user: get('/api/users/1'),
    restFirst: page(1),
    restMiddle: page(Math.ceil(lastPage / 2)),
    restLast: page(lastPage),
    gqlFirst: graphql('first: 20'),
    gqlLast: graphql('last: 20'),
    gqlDeep: graphql(`first: 20, after: "${encodeCursor(Math.floor(users / 2))}"`),
    postsFirst: posts(1),
    postsMiddle: posts(Math.ceil(lastPage / 2)),
    postsLast: posts(lastPage),
    authorPosts: { ...get('/api/users/1/posts?per_page=20'), headers: {} },
    authorPostsLast: { ...get(`/api/users/1/posts?page=${Math.ceil(users / authors / 20)}&per_page=20`), headers: {} },
    gqlPostsFirst: postsQuery('first: 20'),
    gqlPostsDeep: postsQuery(`first: 20, after: "${postCursor(Math.floor(users / 2))}"`),
    gqlPostsLast: postsQuery('last: 20'),
    gqlPostsBefore: postsQuery(`last: 20, before: "${postCursor(Math.floor(users / 2))}"`),
    gqlAuthorPostsDeep: { ...get('/graphql'), args: ['POST', JSON.stringify({ query: authorQuery })] },
  }
}

async function measureSize(users: number, options: GrowthOptions): Promise<SizeResult> {
  const seedStarted = performance.now()
  const seeded = await seedDatabase(users, users)
  const postgres = options.postgres ? await seedPostgres(options.postgres, seeded.path) : undefined
  const seedMs = performance.now() - seedStarted
  try {
    const port = freePort()
    const base = `http://127.0.0.1:${port}`
    const start = () => startServer(pinned(options.serverCpus, options.command), loadTestEnv(port, postgres?.url ?? seeded.path), `${base}/api/ping`)
    const starts: number[] = []
    let server = await start()
    for (let run = 1; run < STARTS; run++) {
      starts.push(server.firstAnswerMs)
      server.process.kill()
      await server.process.exited
      server = await start()
    }
    starts.push(server.firstAnswerMs)
    const pid = server.process.pid
    try {
      await Bun.sleep(1000)
      const idleRssMb = rssMb(pid)
      const bearer = { Authorization: `Bearer ${await logIn(base, 1)}` }
      const loads = workloads(users, bearer, options.seconds)
      const { result, peakMb } = await peakRss(pid, async () => {
        const measured: Partial<Record<WorkloadKey, Summary>> = {}
        for (const [key, load] of Object.entries(loads) as [WorkloadKey, (typeof loads)[WorkloadKey]][]) {
          const url = base + load.path
          await check(url, load)
          await runWrk({ ...load, url, seconds: WARM_UP_SECONDS }, options.wrkCpus, options.scratch)
          const runs = []
          for (let round = 0; round < options.rounds; round++) runs.push(await runWrk({ ...load, url }, options.wrkCpus, options.scratch, pid))
          measured[key] = summarize(runs)
          console.log(`  ${users} users, ${GROWTH_LABELS[key]}: ${measured[key].cpu_us_per_request?.toFixed(0)} CPU µs/req, ${Math.round(measured[key].rps)} req/s`)
        }
        return measured as Record<WorkloadKey, Summary>
      })
      server.process.kill()
      await server.process.exited
      const writes = postgres ? undefined : await measureWrites(seeded.path, options.serverCpus)
      return {
        users,
        seed_ms: seedMs,
        counts_migration_ms: seeded.countsMigrationMs,
        first_answer_ms: median(starts),
        first_answer_runs_ms: starts,
        idle_rss_mb: idleRssMb,
        load_rss_mb: peakMb,
        workloads: result,
        writes,
      }
    } finally {
      server.process.kill()
    }
  } finally {
    await postgres?.drop()
    rmSync(seeded.dir, { recursive: true, force: true })
  }
}

async function measureWrites(path: string, cpus: string | undefined): Promise<Writes> {
  const command = pinned(cpus, ['bun', join(import.meta.dir, 'writes.ts'), path, String(WRITES_PER_ROUND), String(WRITE_ROUNDS)])
  const child = Bun.spawn(command, { stdout: 'pipe', stderr: 'inherit' })
  const out = await new Response(child.stdout).text()
  if ((await child.exited) !== 0) throw new Error('bench/writes.ts failed')
  return JSON.parse(out) as Writes
}

function targets(small: SizeResult, large: SizeResult): Growth['targets'] {
  const cpu = (size: SizeResult, key: WorkloadKey) => size.workloads[key].cpu_us_per_request ?? NaN
  const entries: [string, number, number][] = [
    ...LIST_SHAPES.map((key): [string, number, number] => [`${key}_cpu_growth`, cpu(large, key) / cpu(small, key), 1.5]),
    ...(['register', 'rename', 'remove'] as const).flatMap((kind): [string, number, number][] =>
      large.writes ? [[`${kind}_cpu_vs_no_triggers`, large.writes.with_triggers[kind] / large.writes.without_triggers[kind], 1.2]] : [],
    ),
    ['first_answer_growth', large.first_answer_ms / small.first_answer_ms, 1.2],
    ['idle_rss_growth', large.idle_rss_mb / small.idle_rss_mb, 1.2],
  ]
  return Object.fromEntries(entries.map(([name, value, limit]) => [name, { value, target: `<= ${limit}`, pass: value <= limit }]))
}

export async function measureGrowth(options: GrowthOptions): Promise<Growth> {
  const sizes = [...new Set([1000, options.users])].sort((a, b) => a - b)
  console.log(`\ngrowth: ${sizes.join(' and ')} users, ${GROWTH_CONNECTIONS} connections`)
  const results: SizeResult[] = []
  for (const users of sizes) results.push(await measureSize(users, options))
  const failed = results.flatMap((size) =>
    Object.entries(size.workloads).flatMap(([key, summary]) => (summary.failures ? [`${size.users} users, ${key}: ${summary.failures}`] : [])),
  )
  const growth = { connections: GROWTH_CONNECTIONS, sizes: results, failed_requests: failed, targets: targets(results[0]!, results.at(-1)!) }
  printGrowth(growth)
  return growth
}

function printGrowth({ sizes, targets }: Growth) {
  const n = (value: number, digits = 0) => value.toFixed(digits)
  const header = ['CPU µs per request', ...sizes.map((size) => `${size.users.toLocaleString('en')} users`), 'growth']
  const rows = (Object.keys(GROWTH_LABELS) as WorkloadKey[]).map((key) => {
    const cpu = sizes.map((size) => size.workloads[key].cpu_us_per_request ?? NaN)
    return [GROWTH_LABELS[key], ...cpu.map((value) => n(value)), `${n(cpu.at(-1)! / cpu[0]!, 2)}×`]
  })
  const perSize = (name: string, pick: (size: SizeResult) => number, digits = 0) => [name, ...sizes.map((size) => n(pick(size), digits)), '']
  rows.push(perSize('first answer ms', (size) => size.first_answer_ms))
  rows.push(perSize('idle RSS MiB', (size) => size.idle_rss_mb, 1))
  rows.push(perSize('RSS under load MiB', (size) => size.load_rss_mb, 1))
  rows.push(perSize('count migration ms', (size) => size.counts_migration_ms))
  for (const kind of ['register', 'rename', 'remove'] as const) {
    const last = sizes.at(-1)!.writes
    if (!last) break
    const cells = sizes.map(({ writes }) => `${n(writes!.with_triggers[kind])} / ${n(writes!.without_triggers[kind])}`)
    rows.push([`${kind} (app.handle, triggers / none)`, ...cells, `${n(last.with_triggers[kind] / last.without_triggers[kind], 2)}×`])
  }
  const widths = header.map((_, column) => Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`
  console.log(`\n${line(header)}\n|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : '-'.repeat(width + 1) + ':')).join('|')}|`)
  for (const row of rows) console.log(line(row))
  console.log('')
  for (const [name, { value, target, pass }] of Object.entries(targets)) console.log(`${pass ? 'PASS' : 'MISS'}  ${name} = ${n(value, 2)} (target ${target})`)
}
