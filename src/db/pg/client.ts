import { SQL, type ReservedSQL } from 'bun'
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
  pool: SQL
  close(): Promise<void>
}

/** The URL without its password, for messages. */
export const describeUrl = (url: string) => {
  const parsed = new URL(url)
  parsed.password = ''
  return parsed.toString()
}

/**
 * The pool as requests see it: each query or transaction runs on a connection reserved for it and settles within
 * `seconds`, the wait for a connection included. Behind a silent network partition (packets dropped, no reset) a
 * query would otherwise hang until TCP gives up, and a cancel request would hang with it: past the bound the
 * request gets PostgresTimeoutError (503) and that connection is closed, not returned, so the pool opens a fresh one.
 */
function bounded(pool: SQL, seconds: number): SQL {
  const run = <T>(work: (connection: ReservedSQL) => PromiseLike<T>) =>
    new Promise<T>((resolve, reject) => {
      let connection: ReservedSQL | undefined
      let expired = false
      const timer = setTimeout(() => {
        expired = true
        void connection?.close({ timeout: 0 })
        reject(new PostgresTimeoutError(`PostgreSQL did not answer within ${seconds} s (PG_QUERY_TIMEOUT_SECONDS)`))
      }, seconds * 1000)
      pool.reserve().then((reserved) => {
        // Reserved after the request gave up: freed or opened since, it works as far as anyone knows.
        if (expired) return void reserved.release()
        connection = reserved
        const settle = (finish: () => void) => {
          if (expired) return
          clearTimeout(timer)
          void reserved.release()
          finish()
        }
        work(reserved).then((value) => settle(() => resolve(value)), (error) => settle(() => reject(error)))
      }, (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  // The pool's own query, lazy until awaited, so that it still nests as a fragment (sql`… ${sql.unsafe(COLUMNS)}`);
  // awaited (Drizzle calls `.values()` too), it runs on a connection reserved for it instead.
  type Lazy = Promise<unknown> & { values(): Promise<unknown> }
  const onReserved = (query: Lazy, again: (connection: ReservedSQL) => Lazy) =>
    Object.assign(query, {
      then: <A, B>(resolve?: (rows: unknown) => A, reject?: (error: unknown) => B) => run(again).then(resolve, reject),
      values: () => run((connection) => again(connection).values()),
    })
  const overrides: Record<PropertyKey, unknown> = {
    unsafe: (query: string, params?: unknown[]) => onReserved(pool.unsafe(query, params), (connection) => connection.unsafe(query, params)),
    begin: (...args: unknown[]) => run((connection) => (connection.begin as (...args: unknown[]) => Promise<unknown>)(...args)),
  }
  const tag = (strings: TemplateStringsArray, ...values: unknown[]) =>
    onReserved(pool(strings, ...values), (connection) => connection(strings, ...values))
  return new Proxy(tag, {
    get: (_, key) => {
      if (key in overrides) return overrides[key]
      const value = Reflect.get(pool, key)
      return typeof value === 'function' ? value.bind(pool) : value
    },
  }) as unknown as SQL
}

/**
 * One pool per process; Bun.sql opens connections as queries need them and replaces broken ones on the next
 * query, which is how madblog reconnects after PostgreSQL restarts. Every wait is bounded: connecting by
 * PG_CONNECT_TIMEOUT_SECONDS, a statement by PG_STATEMENT_TIMEOUT_SECONDS (enforced by the server), and any query
 * or transaction of a request by PG_QUERY_TIMEOUT_SECONDS (enforced here, whatever the network does).
 */
export function openPostgres(settings: PostgresSettings): PostgresHandle {
  const pool = new SQL({
    url: settings.url,
    max: settings.poolMax,
    connectionTimeout: settings.connectTimeoutSeconds,
    idleTimeout: 60,
    connection: { statement_timeout: settings.statementTimeoutSeconds * 1000, application_name: 'madblog' },
  })
  const sql = bounded(pool, settings.queryTimeoutSeconds)
  return { db: drizzle({ client: sql, schema }), sql, pool, close: () => pool.close({ timeout: 5 }) }
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
