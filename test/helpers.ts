import { test } from 'bun:test'
import { createApp, openMigratedDatabase, type AppDatabase } from '../src/app'
import type { DatabaseHandle } from '../src/db/client'
import { loadConfig, type Config } from '../src/config'
import type { ServiceDependencies } from '../src/services'
import { ON_POSTGRES, lazyPostgres } from './postgres'

/** A test of SQLite itself (its pragmas, triggers, file or raw rows): skipped when the suite runs on PostgreSQL. */
export const sqliteOnly = ON_POSTGRES ? test.skip : test

/** Production defaults on a fresh in-memory database, quiet, with cheap password hashing. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'error' }),
    passwordHashing: { memoryCost: 1024, timeCost: 1 },
    ...overrides,
  }
}

export interface CallOptions {
  body?: unknown
  /** A bearer token. */
  token?: string
  /** Basic credentials as [username, password]. */
  basic?: [string, string]
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  headers: Headers
  // Tests read arbitrary JSON; the schema checks live in the assertions.
  body: any
  text: string
}

/**
 * A fresh app on its own in-memory database, and a `call` that speaks JSON to it through `app.handle`.
 * `dependencies` swap a fake hasher or clock into its services.
 */
export function testApp(overrides: Partial<Config> = {}, dependencies: ServiceDependencies = {}) {
  const config = testConfig(overrides)
  // Typed as SQLite's handle for the tests of SQLite itself (sqliteOnly); `sql` speaks to either engine.
  const database = (ON_POSTGRES ? lazyPostgres(config) : openMigratedDatabase(config)) as DatabaseHandle
  return appHarness(config, database, dependencies)
}

/** `call` and `signUp` over an app on any database (test/postgres.ts hands it a PostgreSQL one). */
export function appHarness<D extends AppDatabase>(config: Config, database: D, dependencies: ServiceDependencies = {}) {
  const app = createApp(config, database, dependencies)

  async function call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    if (options.basic) headers.authorization = `Basic ${Buffer.from(options.basic.join(':')).toString('base64')}`
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
      headers['content-length'] = String(Buffer.byteLength(body)) // as every real client sends
    }
    const response = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }))
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {}
    return { status: response.status, headers: response.headers, body: parsed, text }
  }

  /** Registers a user (password "secret") and logs in; returns the id and a bearer token. */
  async function signUp(username: string, password = 'secret') {
    const created = await call('POST', '/api/users', { body: { username, email: `${username}@example.com`, password } })
    if (created.status !== 201) throw new Error(`sign-up of ${username} failed: ${created.text}`)
    const login = await call('POST', '/api/tokens', { basic: [username, password] })
    if (login.status !== 200) throw new Error(`login of ${username} failed: ${login.text}`)
    return { id: created.body.id as number, token: login.body.token as string }
  }

  /**
   * One SQL statement on the test's database, whichever engine: `?` placeholders, rows as SQLite gives them
   * (PostgreSQL's timestamps as milliseconds, its bigint ids as numbers); counts need CAST(count(*) AS integer).
   */
  async function sql<Row = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<Row[]> {
    if ('ready' in database) {
      let n = 0
      const { sql: pool } = await (database as unknown as ReturnType<typeof lazyPostgres>).ready
      const rows: Record<string, unknown>[] = await pool.unsafe(query.replace(/\?/g, () => `$${++n}`), params as never[])
      return rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key,
            value instanceof Date ? value.getTime() : /(^|_)id$/.test(key) && typeof value === 'string' ? Number(value) : value,
          ]),
        ),
      ) as Row[]
    }
    return (database as unknown as DatabaseHandle).sqlite.query(query).all(...(params as never[])) as Row[]
  }

  /** Sets every token's expiry (ms since the epoch), but the one with the digest `except`. */
  const setTokenExpiry = (at: number, except = '') =>
    'ready' in database
      ? sql('UPDATE tokens SET expires_at = to_timestamp(CAST(? AS float8) / 1000) WHERE token_hash <> ?', at, except)
      : sql('UPDATE tokens SET expires_at = ? WHERE token_hash <> ?', at, except)

  return { app, config, database, call, signUp, sql, setTokenExpiry }
}
