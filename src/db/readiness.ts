import type { DatabaseHandle } from './client'
import { pendingMigrations } from './migrate'
import { pendingPostgresMigrations } from './pg/migrate'
import type { PostgresDatabase } from './pg/open'

/**
 * Whether the database can serve: it answers a query, the file at its path is still the one opened, and every
 * migration this binary carries has run. Returns why not, or undefined when ready.
 */
export function databaseReadiness(database: DatabaseHandle, path: string): () => string | undefined {
  return () => {
    try {
      database.sqlite.query('SELECT 1').get()
    } catch (error) {
      return `the database does not answer (${error instanceof Error ? error.message : String(error)})`
    }
    if (database.replaced()) return `the database file ${path} was removed or replaced since it was opened`
    const pending = pendingMigrations(database.db)
    if (pending.length) return `migrations not applied: ${pending.map((migration) => migration.tag).join(', ')}`
    return undefined
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** The same on PostgreSQL: the server answers a query (within the statement timeout) and no migration is pending. */
export function postgresReadiness(database: PostgresDatabase): () => Promise<string | undefined> {
  return async () => {
    try {
      const pending = await pendingPostgresMigrations(database.sql)
      return pending.length ? `migrations not applied: ${pending.join(', ')}` : undefined
    } catch (error) {
      return `the database does not answer (${reasonOf(error)})`
    }
  }
}
