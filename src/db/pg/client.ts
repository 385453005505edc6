import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import type { PostgresSettings } from '../../config'
import { DatabaseOpenError } from '../client'
import * as schema from './schema'
import { isPostgresUnavailable } from './unavailable'

export type PgDb = ReturnType<typeof drizzle<typeof schema>>

export interface PostgresHandle {
  db: PgDb
  sql: SQL
  close(): Promise<void>
}

/** The URL without its password, for messages. */
export const describeUrl = (url: string) => {
  const parsed = new URL(url)
  parsed.password = ''
  return parsed.toString()
}

/**
 * One pool per process; Bun.sql opens connections as queries need them and replaces broken ones on the next
 * query, which is how madblog reconnects after PostgreSQL restarts. Every wait is bounded: connecting by
 * PG_CONNECT_TIMEOUT_SECONDS, a statement by PG_STATEMENT_TIMEOUT_SECONDS (enforced by the server).
 */
export function openPostgres(settings: PostgresSettings): PostgresHandle {
  const sql = new SQL({
    url: settings.url,
    max: settings.poolMax,
    connectionTimeout: settings.connectTimeoutSeconds,
    idleTimeout: 60,
    connection: { statement_timeout: settings.statementTimeoutSeconds * 1000, application_name: 'madblog' },
  })
  return { db: drizzle({ client: sql, schema }), sql, close: () => sql.close({ timeout: 5 }) }
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
