import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import type { PostgresSettings } from '../../config'
import { DatabaseOpenError } from '../client'
import * as schema from './schema'
import { PostgresTimeoutError, isPostgresUnavailable } from './unavailable'

export type PgDb = ReturnType<typeof drizzle<typeof schema>>

export interface PostgresHandle {
  /** Drizzle over `sql`. */
  db: PgDb
  /** The pool with every query and transaction bounded by PG_QUERY_TIMEOUT_SECONDS: what requests use. */
  sql: SQL
  /** The pool itself, unbounded: for migrations, which may rightly take longer. */
  unbounded(): SQL
  close(): Promise<void>
}

/** The URL without its password, for messages. */
export const describeUrl = (url: string) => {
  const parsed = new URL(url)
  parsed.password = ''
  return parsed.toString()
}

type Lazy = Promise<unknown>

/**
 * The pool as requests see it: each query or transaction settles within `seconds`, the wait for a connection
 * included. Behind a silent network partition (packets dropped, no reset) a query would otherwise hang until TCP
 * gives up, and so would a cancel request or a close that waits for it. Past the bound the request gets
 * PostgresTimeoutError (503) and the whole pool is replaced: the old one's sockets hang alike, so new requests go
 * to a fresh pool, and the old one closes in the background (queries that still get answers finish first). A
 * timer per statement costs far less than a connection reserved for each (measured: bench/results).
 */
function bounded(open: () => SQL, seconds: number) {
  let pool = open()
  const retire = (hung: SQL) => {
    if (hung !== pool) return // replaced already, by another query that timed out
    pool = open()
    hung.close({ timeout: seconds }).catch(() => {})
  }
  type Settle = [resolve: (value: unknown) => void, reject: (error: unknown) => void]
  const expired = () => new PostgresTimeoutError(`PostgreSQL did not answer within ${seconds} s (PG_QUERY_TIMEOUT_SECONDS)`)
  const within = (from: SQL, start: (...settle: Settle) => void, onExpiry?: () => void) =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        onExpiry?.()
        retire(from)
        reject(expired())
      }, seconds * 1000)
      start(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      )
    })
  // The pool's own query, lazy until awaited, so that it still nests as a fragment (sql`… ${sql.unsafe(COLUMNS)}`);
  // awaited (Drizzle's `.values()` returns the query itself), it is bounded.
  const run = Object.getPrototypeOf(pool`SELECT 1`).then as (this: Lazy, ...settle: Settle) => void
  const timed = (from: SQL, query: Lazy) => {
    query.then = (resolve, reject) => within(from, (...settle) => run.call(query, ...settle)).then(resolve, reject)
    return query
  }
  const face: Record<PropertyKey, unknown> = {
    unsafe: (query: string, params?: unknown[]) => timed(pool, pool.unsafe(query, params)),
    // A transaction still running when its request gave up rolls back instead of committing (the old pool lets
    // it finish): the 503 must not hide a write made after it.
    begin: (...args: unknown[]) => {
      const from = pool
      const work = args.pop() as (tx: unknown) => Promise<unknown>
      let late = false
      const body = async (tx: unknown) => {
        const result = await work(tx)
        if (late) throw expired()
        return result
      }
      const begin = from.begin as (...args: unknown[]) => Promise<unknown>
      return within(from, (...settle) => void begin.call(from, ...args, body).then(...settle), () => (late = true))
    },
    array: (...args: Parameters<SQL['array']>) => pool.array(...args),
  }
  const tag = (strings: TemplateStringsArray, ...values: unknown[]) => timed(pool, pool(strings, ...values))
  const sql = new Proxy(tag, {
    get: (_, key) => {
      if (key in face) return face[key]
      const value = Reflect.get(pool, key)
      return typeof value === 'function' ? value.bind(pool) : value
    },
  }) as unknown as SQL
  return { sql, pool: () => pool }
}

/**
 * One pool per process (replaced whole only behind a partition, above); Bun.sql opens connections as queries need
 * them and replaces broken ones on the next query, which is how madblog reconnects after PostgreSQL restarts.
 * Every wait is bounded: connecting by PG_CONNECT_TIMEOUT_SECONDS, a statement by PG_STATEMENT_TIMEOUT_SECONDS
 * (enforced by the server), and any query or transaction of a request by PG_QUERY_TIMEOUT_SECONDS (enforced
 * here, whatever the network does).
 */
export function openPostgres(settings: PostgresSettings): PostgresHandle {
  const open = () =>
    new SQL({
      url: settings.url,
      max: settings.poolMax,
      connectionTimeout: settings.connectTimeoutSeconds,
      idleTimeout: 60,
      connection: { statement_timeout: settings.statementTimeoutSeconds * 1000, application_name: 'madblog' },
    })
  const { sql, pool } = bounded(open, settings.queryTimeoutSeconds)
  return { db: drizzle({ client: sql, schema }), sql, unbounded: pool, close: () => pool().close({ timeout: 5 }) }
}

/** Start-up waits for the server a bounded time (it may be starting beside madblog), then stops with one line. */
export async function waitForPostgres(handle: PostgresHandle, settings: PostgresSettings): Promise<void> {
  const deadline = Date.now() + settings.startupWaitSeconds * 1000
  for (;;) {
    try {
      await handle.sql`SELECT 1`
      return
    } catch (error) {
      if (!isPostgresUnavailable(error) || Date.now() >= deadline) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new DatabaseOpenError(
          `cannot reach PostgreSQL at ${describeUrl(settings.url)} within ${settings.startupWaitSeconds} s (PG_STARTUP_WAIT_SECONDS): ${reason}`,
        )
      }
      await Bun.sleep(250)
    }
  }
}
