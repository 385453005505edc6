import { afterEach, describe, expect, spyOn, test } from 'bun:test'
import { SQL, type Socket } from 'bun'
import { createApp } from '../../src/app'
import { DatabaseOpenError } from '../../src/db/client'
import { openMigratedPostgres } from '../../src/db/pg/open'
import { openPostgres } from '../../src/db/pg/client'
import { PostgresTimeoutError } from '../../src/db/pg/unavailable'
import { postgresStore } from '../../src/db/pg/store'
import { migratePostgres, migratePostgresDown } from '../../src/db/pg/migrate'
import { embeddedMigrations } from '../../src/db/migrations.macro'
import { MSG, badRequest, userBody } from '../messages'
import { appHarness } from '../helpers'
import { until } from '../until'
import { TEST_POSTGRES, freshPostgres, postgresConfig } from '../postgres'

/** An app on its own migrated pool over `url`: several over one url act as replicas. */
async function postgresApp(url: string, overrides = {}) {
  const config = postgresConfig(url, overrides)
  return appHarness(config, await openMigratedPostgres(config))
}

// The engine's behaviour where PostgreSQL differs from SQLite: shared state between replicas (several apps, each
// its own pool, over one database), row locks, 23505, advisory-locked migrations, and an unreachable server.
const pg = describe.skipIf(!TEST_POSTGRES)
const PG_MIGRATIONS = embeddedMigrations('pg').map((migration) => migration.tag)
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function replicas(count: number, overrides = {}) {
  const database = await freshPostgres()
  cleanups.push(database.drop)
  const apps = []
  for (let i = 0; i < count; i++) {
    const app = await postgresApp(database.url, overrides)
    cleanups.push(() => app.database.close())
    apps.push(app)
  }
  return { url: database.url, apps }
}

const basic = (username: string, password: string) => ({ basic: [username, password] as [string, string] })

pg('PostgreSQL: one replica', () => {
  test('the tutorial session: register, log in, read, list, rename, delete', async () => {
    const [{ call, signUp }] = (await replicas(1)).apps as [Awaited<ReturnType<typeof postgresApp>>]
    expect((await call('GET', '/readyz')).body).toEqual({ status: 'ready' })
    const ada = await signUp('ada')
    await signUp('bob')
    expect((await call('GET', `/api/users/${ada.id}`, { token: ada.token })).body).toEqual(userBody(ada.id, 'ada', { email: 'ada@example.com' }))
    const list = await call('GET', '/api/users?per_page=1', { token: ada.token })
    expect(list.body._meta).toEqual({ page: 1, per_page: 1, total_pages: 2, total_items: 2 })
    expect((await call('PUT', `/api/users/${ada.id}`, { token: ada.token, body: { username: 'ADA2' } })).body.username).toBe('ADA2')
    expect((await call('POST', '/api/users', { body: { username: 'ada2', email: 'x@example.com', password: 'p' } })).status).toBe(400)
    expect((await call('GET', '/api/users/999999999999999', { token: ada.token })).status).toBe(404)
    expect((await call('DELETE', `/api/users/${ada.id}`, { token: ada.token })).status).toBe(204)
    expect((await call('GET', `/api/users/${ada.id}`, { token: ada.token })).status).toBe(401)
  })

  test('names PostgreSQL text cannot hold (NUL, a lone surrogate) are a plain 401 and count as failures, not a 500', async () => {
    const [{ call }] = (await replicas(1, { rateLimits: { ...postgresConfig('postgres://x/y').rateLimits, loginMaxFailures: 2 } })).apps as [
      Awaited<ReturnType<typeof postgresApp>>,
    ]
    const login = (username: string) =>
      call('POST', '/graphql', { body: { query: 'mutation ($u: String!) { createToken(username: $u, password: "x") { token } }', variables: { u: username } } })
    const codes = async (username: string) => (await login(username)).body.errors.map((error: { extensions: { code: string } }) => error.extensions.code)
    expect(await codes('\ud800')).toEqual(['UNAUTHENTICATED'])
    expect(await codes('a\u0000b')).toEqual(['UNAUTHENTICATED'])
    expect(await codes('\ud800')).toEqual(['UNAUTHENTICATED'])
    expect(await codes('\ud800')).toEqual(['RATE_LIMITED'])
    expect((await call('POST', '/api/tokens', { basic: ['a\u0000b', 'x'] })).status).toBe(401)
  })

  test('GraphQL: createUser, createToken, me', async () => {
    const [{ call }] = (await replicas(1)).apps as [Awaited<ReturnType<typeof postgresApp>>]
    const gql = (query: string, token?: string) => call('POST', '/graphql', { body: { query }, token })
    await gql('mutation { createUser(input: { username: "ann", email: "ann@example.com", password: "secret" }) { id } }')
    const login = await gql('mutation { createToken(username: "ANN", password: "secret") { token } }')
    expect((await gql('{ me { username email } }', login.body.data.createToken.token)).body).toEqual({
      data: { me: { username: 'ann', email: 'ann@example.com' } },
    })
  })
})

pg('PostgreSQL: replicas share one database', () => {
  test('a token from one works on the others; revocation, password change and deletion take effect on all', async () => {
    const { apps: [a, b, c] } = await replicas(3)
    const ada = await a!.signUp('ada')
    expect((await b!.call('GET', '/api/users', { token: ada.token })).status).toBe(200)
    expect((await b!.call('DELETE', '/api/tokens', { token: ada.token })).status).toBe(204)
    expect((await c!.call('GET', '/api/users', { token: ada.token })).status).toBe(401)
    const second = (await a!.call('POST', '/api/tokens', basic('ada', 'secret'))).body.token
    const change = { token: second, body: { password: 'next', old_password: 'secret' } }
    expect((await c!.call('PUT', `/api/users/${ada.id}`, change)).status).toBe(200)
    expect((await a!.call('GET', '/api/users', { token: second })).status).toBe(401)
    const third = (await b!.call('POST', '/api/tokens', basic('ada', 'next'))).body.token
    expect((await a!.call('DELETE', `/api/users/${ada.id}`, { token: third })).status).toBe(204)
    expect((await c!.call('GET', '/api/users', { token: third })).status).toBe(401)
  })

  test('together they allow exactly LOGIN_MAX_FAILURES wrong passwords for a name', async () => {
    const { apps } = await replicas(3)
    await apps[0]!.signUp('ada')
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => apps[i % 3]!.call('POST', '/api/tokens', basic('ada', 'wrong'))))
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([])
    expect(statuses.filter((status) => status === 401)).toHaveLength(10)
    expect(statuses.filter((status) => status === 429)).toHaveLength(20)
  })

  test('attempts in one millisecond are counted one by one, and taking one back frees exactly one place', async () => {
    const database = await freshPostgres()
    cleanups.push(database.drop)
    const config = postgresConfig(database.url, { rateLimits: { ...postgresConfig(database.url).rateLimits, loginMaxFailures: 3 } })
    const pools = [await openMigratedPostgres(config), await openMigratedPostgres(config)]
    for (const pool of pools) cleanups.push(() => pool.close())
    const ledgers = pools.map((pool) => pool.store.attempts!)
    // Attempts in one millisecond have equal times; however they are told apart (a random fraction once), one
    // must never pass for another, nor take another's place back.
    const random = spyOn(Math, 'random').mockReturnValue(0.25)
    cleanups.push(async () => random.mockRestore())
    const at = Date.now()
    const attempt = (i: number) => ledgers[i % 2]!.count([['loginByUsername', 'bea'], ['loginByAddress', `10.0.0.${i}`]], at)
    const counts = async () =>
      Object.fromEntries((await pools[0]!.sql`SELECT key, cardinality(at) AS n FROM rate_limit_attempts`).map((row: { key: string; n: number }) => [row.key, row.n]))
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i)))
    const admitted = first.flatMap((result, i) => (result.wait === 0 ? [i] : []))
    expect(admitted).toHaveLength(3)
    for (const result of first) if (result.wait > 0) expect(result.wait).toBe(config.rateLimits.loginWindowSeconds)
    // Refused, an attempt gives back what its address counted: all or none.
    expect(await counts()).toEqual({ 'loginByUsername:bea': 3, ...Object.fromEntries(first.map((result, i) => [`loginByAddress:10.0.0.${i}`, result.wait === 0 ? 1 : 0])) })

    await ledgers[1]!.takeBack([['loginByUsername', 'bea'], ['loginByAddress', `10.0.0.${admitted[0]}`]], first[admitted[0]!]!.stamp)
    const second = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(20 + i)))
    expect(second.filter((result) => result.wait === 0)).toHaveLength(1)
    expect((await counts())['loginByUsername:bea']).toBe(3)
  })

  test('and exactly REGISTER_MAX_PER_HOUR registrations per address', async () => {
    const { apps } = await replicas(3, { rateLimits: { ...postgresConfig('postgres://x/y').rateLimits, registerMaxPerHour: 5 } })
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        apps[i % 3]!.call('POST', '/api/users', { body: { username: `u${i}`, email: `u${i}@example.com`, password: 'secret' } }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(5)
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(10)
  })

  test('concurrent registrations of one name: exactly one 201, the rest 400 with the field message, no 5xx', async () => {
    const { apps } = await replicas(3)
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        apps[i % 3]!.call('POST', '/api/users', { body: { username: i % 2 ? 'Zoe' : 'zoe', email: `z${i}@example.com`, password: 'secret' } }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1)
    for (const answer of answers.filter((answer) => answer.status !== 201)) {
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual(badRequest({ username: MSG.usernameTaken }))
    }
  })

  test('the counts kept by triggers stay COUNT(*) under concurrent writers, and pages are OFFSET\'s', async () => {
    const { url, apps } = await replicas(3)
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        apps[i % 3]!.call('POST', '/api/users', { body: { username: `c${i}`, email: `c${i}@example.com`, password: 'secret' } }),
      ),
    )
    const sql = new SQL({ url, max: 1 })
    cleanups.push(() => sql.close())
    await sql`DELETE FROM users WHERE id % 7 = 0`
    await sql`INSERT INTO users (id, username, email, password_hash) VALUES (5000, 'far', 'far@example.com', 'x')`
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM users`
    const kept = async (table: string, shift: number) =>
      JSON.stringify(await sql.unsafe(`SELECT bucket::int, users FROM ${table} WHERE users > 0 ORDER BY bucket`)) ===
      JSON.stringify(await sql.unsafe(`SELECT (id >> ${shift})::int AS bucket, count(*)::int AS users FROM users GROUP BY 1 ORDER BY 1`))
    expect([await kept('user_counts_by_4m_ids', 22), await kept('user_counts_by_64k_ids', 16), await kept('user_counts_by_1k_ids', 10)]).toEqual([true, true, true])
    const token = (await apps[0]!.signUp('reader')).token
    for (const page of [1, 2, 3, 4]) {
      const answer = await apps[page % 3]!.call('GET', `/api/users?page=${page}&per_page=20`, { token })
      const expected = await sql`SELECT id FROM users ORDER BY id LIMIT 20 OFFSET ${(page - 1) * 20}`
      expect(answer.body.items.map((item: { id: number }) => item.id)).toEqual(expected.map((row: { id: string }) => Number(row.id)))
      expect(answer.body._meta.total_items).toBe(n + 1)
    }
  })

  test("each author's kept post counts stay COUNT(*) under concurrent writers and by-hand changes, the migration builds them from the posts there, and author pages are OFFSET's", async () => {
    const { url, apps } = await replicas(3)
    const authors = await Promise.all(['ann', 'bob', 'cy'].map((name, i) => apps[i]!.signUp(name)))
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        apps[i % 3]!.call('POST', '/api/posts', { token: authors[i % 3]!.token, body: { title: `p${i}`, body: 'b' } }),
      ),
    )
    const sql = new SQL({ url, max: 1 })
    cleanups.push(() => sql.close())
    const [ann, bob, cy] = authors.map((author) => author.id) as [number, number, number]
    // By hand: posts far apart in ids, some deleted, some given to another author, one moved, and an author deleted.
    await sql`INSERT INTO posts (id, title, body, author_id) VALUES (5000, 'far', 'b', ${ann}), (70001, 'farther', 'b', ${bob}), (5000000, 'farthest', 'b', ${ann})`
    await sql`DELETE FROM posts WHERE id % 7 = 0`
    await sql`UPDATE posts SET author_id = ${ann} WHERE author_id = ${bob} AND id % 5 = 0`
    await sql`UPDATE posts SET id = 9000 WHERE id = 70001`
    await sql`DELETE FROM users WHERE id = ${cy}`
    const levels = [['author_post_counts_by_4m_ids', 22], ['author_post_counts_by_64k_ids', 16], ['author_post_counts_by_1k_ids', 10]] as const
    const kept = async () => {
      const levelsKept = []
      for (const [table] of levels)
        levelsKept.push(JSON.stringify(await sql.unsafe(`SELECT author_id::int, bucket::int, posts FROM ${table} WHERE posts > 0 ORDER BY 1, 2`)))
      return levelsKept
    }
    const scanned = []
    for (const [, shift] of levels)
      scanned.push(JSON.stringify(await sql.unsafe(`SELECT author_id::int, (id >> ${shift})::int AS bucket, count(*)::int AS posts FROM posts GROUP BY 1, 2 ORDER BY 1, 2`)))
    expect(await kept()).toEqual(scanned)
    expect(await sql`SELECT 1 FROM author_post_counts_by_1k_ids WHERE author_id = ${cy}`).toEqual([])

    const triggers = PG_MIGRATIONS.find((tag) => /_author_post_counts_triggers$/.test(tag))!
    await migratePostgresDown(sql, { to: PG_MIGRATIONS[PG_MIGRATIONS.indexOf(triggers) - 1] })
    expect(await sql`SELECT 1 FROM author_post_counts_by_1k_ids`).toEqual([])
    await migratePostgres(sql)
    expect(await kept()).toEqual(scanned)

    for (const author of [ann, bob])
      for (const page of [1, 2, 3, 4]) {
        const answer = await apps[page % 3]!.call('GET', `/api/users/${author}/posts?page=${page}&per_page=20`)
        const expected = await sql`SELECT id FROM posts WHERE author_id = ${author} ORDER BY id DESC LIMIT 20 OFFSET ${(page - 1) * 20}`
        expect(answer.body.items.map((item: { id: number }) => item.id)).toEqual(expected.map((row: { id: string }) => Number(row.id)))
      }
  })

  test('replicas started at once migrate once', async () => {
    const database = await freshPostgres()
    cleanups.push(database.drop)
    const config = postgresConfig(database.url)
    const opened = await Promise.all([1, 2, 3].map(() => openMigratedPostgres(config)))
    for (const handle of opened) cleanups.push(() => handle.close())
    expect(opened.map((handle) => handle.applied).sort()).toEqual([[], [], PG_MIGRATIONS])
  })
})

pg('PostgreSQL unreachable', () => {
  const closedPort = () => {
    const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = server.port
    server.stop(true)
    return `postgres://madblog@127.0.0.1:${port}/madblog`
  }

  test('start-up waits PG_STARTUP_WAIT_SECONDS, then stops with one line', async () => {
    const config = postgresConfig(closedPort(), {})
    const started = Date.now()
    const error = await openMigratedPostgres({ ...config, postgres: { ...config.postgres, startupWaitSeconds: 1 } }).catch((e) => e)
    expect(error).toBeInstanceOf(DatabaseOpenError)
    expect(error.message).toStartWith('cannot reach PostgreSQL at postgres://madblog@127.0.0.1:')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  test('requests get 503 with Retry-After (GraphQL SERVICE_UNAVAILABLE), never 500', async () => {
    const config = postgresConfig(closedPort())
    const handle = openPostgres({ ...config.postgres, connectTimeoutSeconds: 1 })
    cleanups.push(() => handle.close())
    const app = createApp(config, { ...handle, applied: [], store: postgresStore(handle.db, handle.sql, config.rateLimits) })
    const ready = await app.handle(new Request('http://localhost/readyz'))
    expect(ready.status).toBe(503)
    expect((await ready.json()).message).toStartWith('the database does not answer')
    const rest = await app.handle(new Request('http://localhost/api/users', { headers: { authorization: `Bearer ${'a'.repeat(43)}` } }))
    expect(rest.status).toBe(503)
    expect(rest.headers.get('retry-after')).toBe('30')
    const login = await app.handle(
      new Request('http://localhost/api/tokens', { method: 'POST', headers: { authorization: `Basic ${btoa('ada:secret')}` } }),
    )
    expect(login.status).toBe(503)
    const graphql = await app.handle(
      new Request('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { createToken(username: "ada", password: "secret") { token } }' }),
      }),
    )
    expect((await graphql.json()).errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfter: 30 })
  })
})

/** A TCP relay to `target` on a port of its own that can be told to drop every byte both ways, as a silent partition does. */
function relay(target: URL) {
  let dropping = false
  const server = Bun.listen<{ upstream?: Socket; early: Uint8Array[] }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        client.data = { early: [] }
        void Bun.connect({
          hostname: target.hostname,
          port: Number(target.port),
          socket: {
            open(upstream) {
              client.data.upstream = upstream
              for (const chunk of client.data.early.splice(0)) upstream.write(chunk)
            },
            data: (_, chunk) => void (dropping || client.write(chunk)),
            close: () => void client.end(),
            error: () => void client.end(),
          },
        })
      },
      data(client, chunk) {
        if (dropping) return
        if (client.data.upstream) client.data.upstream.write(chunk)
        else client.data.early.push(chunk)
      },
      close: (client) => void client.data.upstream?.end(),
    },
  })
  const url = new URL(target)
  url.port = String(server.port)
  return { url: url.toString(), drop: (on: boolean) => void (dropping = on), stop: () => server.stop(true) }
}

pg('PostgreSQL behind a silent network partition', () => {
  test('requests get 503 with Retry-After within PG_QUERY_TIMEOUT_SECONDS; the hung connections are dropped and service comes back', async () => {
    const database = await freshPostgres()
    cleanups.push(database.drop)
    const network = relay(new URL(database.url))
    cleanups.push(async () => network.stop())
    const app = await postgresApp(network.url, { postgres: { ...postgresConfig(network.url).postgres, queryTimeoutSeconds: 1 } })
    cleanups.push(() => app.database.close())
    const ada = await app.signUp('ada')
    const read = () => app.call('GET', `/api/users/${ada.id}`, { token: ada.token })
    const me = () => app.call('POST', '/graphql', { token: ada.token, body: { query: '{ me { username } }' } })
    expect((await read()).status).toBe(200)

    network.drop(true)
    const started = Date.now()
    // More requests than the pool (4) has connections: the wait for one is bounded too.
    const [graphql, ...reads] = await Promise.all([me(), ...Array.from({ length: 6 }, read)])
    expect(Date.now() - started).toBeLessThan(3000)
    for (const answer of reads) {
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBe('30')
    }
    expect(graphql!.body.errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfter: 30 })

    network.drop(false)
    // A connection that hung and went back to the pool would hang the next request on it (or read its stale bytes).
    const after = await Promise.all(Array.from({ length: 8 }, read))
    expect(after.map((answer) => answer.status)).toEqual(Array(8).fill(200))
    // and the pool that hung was closed, not left holding its connections beside the fresh one's (4 at most).
    const other = new SQL({ url: database.url, max: 1 })
    cleanups.push(() => other.close())
    await until(async () => (await other`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'madblog' AND datname = current_database()`)[0].n <= 4)
  })

  test('a transaction still running when its request got the 503 rolls back, though the server answers', async () => {
    const database = await freshPostgres()
    cleanups.push(database.drop)
    const handle = openPostgres({ ...postgresConfig(database.url).postgres, queryTimeoutSeconds: 1 })
    cleanups.push(() => handle.close())
    await handle.sql`CREATE TABLE marks (id int PRIMARY KEY)`
    let finished!: () => void
    const bodyDone = new Promise<void>((resolve) => (finished = resolve))
    const error = await handle.sql
      .begin(async (tx) => {
        await tx`INSERT INTO marks VALUES (1)`
        await Bun.sleep(1500) // past the bound, then done: a commit now would be a write after its 503
        finished()
      })
      .catch((error) => error)
    expect(error).toBeInstanceOf(PostgresTimeoutError)
    await bodyDone
    // Blocks on the row until that transaction ends; a duplicate key if it committed.
    const other = new SQL({ url: database.url, max: 1 })
    cleanups.push(() => other.close())
    expect(await other`INSERT INTO marks VALUES (1) RETURNING id`).toEqual([{ id: 1 }])
  })
})

// Bun.sql returned rows to the wrong query under concurrency, and desynchronised after errors, in 2025-26
// releases: these gate every Bun upgrade.
pg('Bun.sql under concurrency', () => {
  test('hundreds of concurrent queries on a small pool each get their own rows, failing ones among them', async () => {
    const sql = new SQL({ url: TEST_POSTGRES!, max: 4 })
    cleanups.push(() => sql.close())
    const answers = await Promise.all(
      Array.from({ length: 400 }, async (_, i) => {
        if (i % 7 === 0) return sql`SELECT 1 / ${i - i}::int AS n`.then(() => 'no error', (error) => (error as { errno?: string }).errno)
        const [row] = await sql`SELECT ${i}::int AS n, ${`p${i}`.repeat(i % 50)}::text AS pad, ${i % 3 === 0 ? sql`1` : sql`2`} AS shape`
        return row.n === i && row.pad === `p${i}`.repeat(i % 50) ? 'own' : `wrong: ${JSON.stringify(row)}`
      }),
    )
    answers.forEach((answer, i) => expect(answer).toBe(i % 7 === 0 ? '22012' : 'own'))
  })

  test('concurrent transactions see their own writes only, and the pool stays usable after a rollback', async () => {
    const sql = new SQL({ url: TEST_POSTGRES!, max: 3 })
    cleanups.push(() => sql.close())
    const seen = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        sql
          .begin(async (tx) => {
            await tx`CREATE TEMP TABLE t (n int) ON COMMIT DROP`
            await tx`INSERT INTO t VALUES (${i})`
            const rows = await tx`SELECT n FROM t`
            if (i % 5 === 0) throw new Error(`rollback ${rows[0].n}`)
            return rows.map((row: { n: number }) => row.n)
          })
          .catch((error: Error) => error.message),
      ),
    )
    seen.forEach((value, i) => expect(value).toEqual(i % 5 === 0 ? `rollback ${i}` : [i]))
    expect((await sql`SELECT 42 AS n`)[0].n).toBe(42)
  })
})
