import { statSync } from 'node:fs'
import type { DatabaseHandle } from './client'
import { pendingMigrations } from './migrate'

/** The file's identity: a file deleted or replaced under the server (a restore done live) has another, or none. */
function identity(path: string): string | undefined {
  try {
    const stat = statSync(path)
    return `${stat.dev}:${stat.ino}`
  } catch {
    return undefined
  }
}

/**
 * Whether the database can serve: it answers a query, the file at its path is still the one opened, and every
 * migration this binary carries has run. Returns why not, or undefined when ready.
 */
export function databaseReadiness(database: DatabaseHandle, path: string): () => string | undefined {
  const opened = path === ':memory:' ? undefined : identity(path)
  return () => {
    try {
      database.sqlite.query('SELECT 1').get()
    } catch (error) {
      return `the database does not answer (${error instanceof Error ? error.message : String(error)})`
    }
    if (opened !== undefined && identity(path) !== opened) return `the database file ${path} was removed or replaced since it was opened`
    const pending = pendingMigrations(database.db)
    if (pending.length) return `migrations not applied: ${pending.join(', ')}`
    return undefined
  }
}
