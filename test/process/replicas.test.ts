/**
 * Three compiled binaries over one PostgreSQL database behind HAProxy with the configuration the repo ships
 * (deploy/haproxy.cfg), on kernel-picked loopback ports: what a user running several replicas relies on.
 * Needs TEST_DATABASE_URL (scripts/pg-cluster.sh); the PostgreSQL restart also needs TEST_PG_DIR, the
 * cluster's folder, which that script prints.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL, type Subprocess } from 'bun'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TEST_POSTGRES, freshPostgres } from '../postgres'
import { listening } from './server'

const REPO = join(import.meta.dir, '../..')
const suite = describe.skipIf(!TEST_POSTGRES || !Bun.which('haproxy'))

let folder = ''
let binary = ''
let database: Awaited<ReturnType<typeof freshPostgres>>
let sql: SQL
let front = ''
const ports: number[] = []
const replicas: (Subprocess<'ignore', 'pipe', 'pipe'> | undefined)[] = []
let haproxy: Subprocess | undefined

/** A port the kernel picked as free; each replica keeps its own across restarts, as HAProxy's config names it. */
function freePort() {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = probe
  probe.stop(true)
  return port
}

async function startReplica(index: number) {
  const child = Bun.spawn([binary, 'serve'], {
    cwd: folder,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: folder,
      HOST: '127.0.0.1',
      PORT: String(ports[index]),
      DATABASE_URL: database.url,
      LOG_LEVEL: 'info',
      // HAProxy appends the client it saw; behind it, the entry before that is what this test says the client is.
      TRUST_PROXY: '2',
      REGISTER_MAX_PER_HOUR: '5',
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  replicas[index] = child
  await listening(child)
}

let address = 0
/** A client address of its own for each request (via X-Forwarded-For), unless one is given. */
async function send(base: string, method: string, path: string, options: { body?: unknown; token?: string; basic?: [string, string]; from?: string } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': options.from ?? `10.${(++address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.basic) headers.authorization = `Basic ${btoa(options.basic.join(':'))}`
  try {
    const response = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
    // HAProxy's own answers (502, 503) are HTML.
    const json = response.headers.get('content-type')?.startsWith('application/json')
    return { status: response.status, body: json ? await response.json() : await response.text() }
  } catch (error) {
    return { status: 0, body: String(error) } // no answer at all
  }
}

const direct = (index: number) => `http://127.0.0.1:${ports[index]}`
const register = (username: string, from?: string) =>
  send(front, 'POST', '/api/users', { body: { username, email: `${username}@example.com`, password: 'secret' }, from })
async function account(username: string) {
  const created = await register(username)
  const login = await send(front, 'POST', '/api/tokens', { basic: [username, 'secret'] })
  return { id: created.body.id as number, token: login.body.token as string }
}

/** Until HAProxy has seen every replica up: `rounds` pings in a row through it, each one answered 200. */
async function allUp(rounds = 12) {
  for (let streak = 0, tries = 0; streak < rounds; tries++) {
    if (tries > 600) throw new Error('HAProxy never saw every replica up')
    streak = (await send(front, 'GET', '/api/ping')).status === 200 ? streak + 1 : 0
    if (streak === 0) await Bun.sleep(50)
  }
  await Bun.sleep(1200) // two health checks: a restarted replica is back in rotation
}

/** Runs `work` on `workers` loops until `stop` resolves; returns every status seen. */
async function underLoad(workers: number, work: () => Promise<number>, during: () => Promise<void>) {
  const statuses: number[] = []
  let running = true
  const loops = Array.from({ length: workers }, async () => {
    while (running) statuses.push(await work())
  })
  await during()
  running = false
  await Promise.all(loops)
  return statuses
}

suite('three replicas behind HAProxy on one PostgreSQL database', () => {
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'madblog-replicas-'))
    binary = join(folder, 'madblog')
    const build = Bun.spawn(['bun', 'run', 'build', binary], { cwd: REPO, stdout: 'pipe', stderr: 'pipe' })
    if ((await build.exited) !== 0) throw new Error(`bun run build failed:\n${await new Response(build.stderr).text()}`)
    database = await freshPostgres()
    sql = new SQL({ url: database.url, max: 2 })
    ports.push(freePort(), freePort(), freePort())
    const frontPort = freePort()
    front = `http://127.0.0.1:${frontPort}`
    // Started together, as an orchestrator would: they race for the migration.
    await Promise.all([0, 1, 2].map(startReplica))
    haproxy = Bun.spawn(['haproxy', '-db', '-f', join(REPO, 'deploy/haproxy.cfg')], {
      env: { PATH: process.env.PATH, MADBLOG_BIND: `127.0.0.1:${frontPort}`, MADBLOG_1: `127.0.0.1:${ports[0]}`, MADBLOG_2: `127.0.0.1:${ports[1]}`, MADBLOG_3: `127.0.0.1:${ports[2]}` },
      stdout: 'ignore',
      stderr: 'pipe',
    })
    await allUp()
  }, 180_000)

  afterAll(async () => {
    haproxy?.kill('SIGKILL')
    for (const child of replicas) child?.kill('SIGKILL')
    await sql?.close()
    await database?.drop()
    if (folder) rmSync(folder, { recursive: true, force: true })
  })

  test('started at once, they migrated once and all serve', async () => {
    const journal = await Bun.file(join(REPO, 'drizzle/pg/meta/_journal.json')).json()
    expect(await sql`SELECT CAST(count(*) AS integer) AS n FROM __drizzle_migrations`).toEqual([{ n: journal.entries.length }])
    for (const index of [0, 1, 2]) expect((await send(direct(index), 'GET', '/api/ping')).status).toBe(200)
  })

  test('a token from one works on the others; revocation, password change and deletion act on all at once', async () => {
    const ada = await account('ada')
    for (const index of [0, 1, 2]) expect((await send(direct(index), 'GET', `/api/users/${ada.id}`, { token: ada.token })).status).toBe(200)
    expect((await send(direct(0), 'DELETE', '/api/tokens', { token: ada.token })).status).toBe(204)
    for (const index of [1, 2]) expect((await send(direct(index), 'GET', '/api/users', { token: ada.token })).status).toBe(401)
    const next = (await send(direct(1), 'POST', '/api/tokens', { basic: ['ada', 'secret'] })).body.token
    const change = { token: next, body: { password: 'changed', old_password: 'secret' } }
    expect((await send(direct(2), 'PUT', `/api/users/${ada.id}`, change)).status).toBe(200)
    for (const index of [0, 1, 2]) expect((await send(direct(index), 'GET', '/api/users', { token: next })).status).toBe(401)
    const last = (await send(direct(0), 'POST', '/api/tokens', { basic: ['ada', 'changed'] })).body.token
    expect((await send(direct(1), 'DELETE', `/api/users/${ada.id}`, { token: last })).status).toBe(204)
    for (const index of [0, 1, 2]) expect((await send(direct(index), 'GET', '/api/users', { token: last })).status).toBe(401)
  })

  test('together they allow exactly the configured failed logins per username and registrations per address', async () => {
    await account('bea')
    const logins = await Promise.all(Array.from({ length: 30 }, (_, i) => send(direct(i % 3), 'POST', '/api/tokens', { basic: ['bea', `wrong${i}`] })))
    expect(logins.filter((answer) => answer.status === 401)).toHaveLength(10)
    expect(logins.filter((answer) => answer.status === 429)).toHaveLength(20)
    const registrations = await Promise.all(Array.from({ length: 15 }, (_, i) => register(`spam${i}`, '10.250.0.1')))
    expect(registrations.filter((answer) => answer.status === 201)).toHaveLength(5)
    expect(registrations.filter((answer) => answer.status === 429)).toHaveLength(10)
  }, 60_000)

  test('50 concurrent registrations of one name: exactly one 201, no 5xx', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => register(i % 2 ? 'Cleo' : 'cleo').then((answer) => (answer.status ? answer.status : answer.body))))
    expect(answers.filter((status) => status === 201)).toHaveLength(1)
    expect(answers.filter((status) => status !== 400 && status !== 201)).toEqual([])
  }, 60_000)

  test('SIGKILL of one replica under write load loses no acknowledged write; HAProxy routes around it', async () => {
    const acknowledged: string[] = []
    let serial = 0
    const statuses = await underLoad(
      8,
      async () => {
        const name = `w${++serial}`
        const answer = await register(name)
        if (answer.status === 201) acknowledged.push(name)
        return answer.status
      },
      async () => {
        await Bun.sleep(500)
        replicas[1]!.kill('SIGKILL')
        await replicas[1]!.exited
        await Bun.sleep(1500)
      },
    )
    try {
      const after = await Promise.all(Array.from({ length: 12 }, (_, i) => register(`after-kill-${i}`).then((answer) => answer.status)))
      expect(after).toEqual(Array(12).fill(201))
      const stored = await sql`SELECT username FROM users WHERE username = ANY(${sql.array(acknowledged)}::text[])`
      expect(stored.length).toBe(acknowledged.length)
      expect(acknowledged.length).toBeGreaterThan(5)
      // Only requests in flight on the killed replica may have failed (at most one per worker), unacknowledged: as
      // HAProxy's 502 or a reset connection (0), never a 500.
      const failed = statuses.filter((status) => status !== 201)
      expect(failed.filter((status) => status !== 502 && status !== 0)).toEqual([])
      expect(failed.length).toBeLessThanOrEqual(8)
    } finally {
      // Back in service for the tests after this one, whatever this one found.
      await startReplica(1)
      await allUp()
    }
  }, 60_000)

  test('a rolling restart under load gives no 5xx', async () => {
    const reader = await account('reader')
    const statuses = await underLoad(
      6,
      async () => (await send(front, 'GET', '/api/users?per_page=5', { token: reader.token })).status,
      async () => {
        for (const index of [0, 1, 2]) {
          replicas[index]!.kill('SIGTERM')
          expect(await replicas[index]!.exited).toBe(0)
          await startReplica(index)
          await allUp(3)
        }
      },
    )
    expect(statuses.length).toBeGreaterThan(50)
    expect(statuses.filter((status) => status !== 200)).toEqual([])
  }, 90_000)

  test.skipIf(!process.env.TEST_PG_DIR)('PostgreSQL restarted under load: 503s while it is down, never a 500, full service after', async () => {
    const reader = await account('watcher')
    const pgCtl = ['bash', join(REPO, 'scripts/pg-cluster.sh'), 'restart', process.env.TEST_PG_DIR!]
    const statuses = await underLoad(
      4,
      async () => (await send(front, 'GET', '/api/users?per_page=5', { token: reader.token })).status,
      async () => {
        await Bun.sleep(300)
        expect(await Bun.spawn(pgCtl, { stdout: 'ignore', stderr: 'inherit' }).exited).toBe(0)
        await Bun.sleep(300)
      },
    )
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([])
    expect(statuses).toContain(503)
    for (let streak = 0, tries = 0; streak < 20 && tries < 400; tries++) {
      streak = (await send(front, 'GET', '/api/users?per_page=5', { token: reader.token })).status === 200 ? streak + 1 : 0
      if (streak === 0) await Bun.sleep(100)
    }
    expect((await Promise.all(Array.from({ length: 20 }, () => send(front, 'GET', '/api/users', { token: reader.token })))).map((a) => a.status)).toEqual(Array(20).fill(200))
  }, 60_000)
})
