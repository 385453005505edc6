import type { Config, PostgresSettings } from '../../config'
import type { Store } from '../store'
import { openPostgres, waitForPostgres, type PostgresHandle } from './client'

export { describeUrl } from './client'
import { migratePostgres } from './migrate'
import { postgresStore } from './store'

export type PostgresDatabase = PostgresHandle & { store: Store; applied: string[] }

/** Connects (waiting a bounded time for the server), migrates under the advisory lock, and builds the store. */
export async function openMigratedPostgres(config: Config & { postgres: PostgresSettings }): Promise<PostgresDatabase> {
  const handle = openPostgres(config.postgres)
  try {
    await waitForPostgres(handle, config.postgres)
    const applied = await migratePostgres(handle.unbounded())
    return { ...handle, applied, store: postgresStore(handle.db, handle.sql, config.rateLimits) }
  } catch (error) {
    await handle.close()
    throw error
  }
}
