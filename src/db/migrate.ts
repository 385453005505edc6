import type { Db } from './client'
import { embeddedMigrations } from './migrations.macro' with { type: 'macro' }

const MIGRATIONS_TABLE = '__drizzle_migrations'
const migrations = embeddedMigrations()

export class MigrationError extends Error {}

interface SyncDialect {
  migrate(list: typeof migrations, session: unknown, config: { migrationsTable: string }): void
}

function lastAppliedMillis(db: Db): number {
  const sqlite = db.$client
  sqlite.run(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`)
  const row = sqlite.query<{ last: number | null }, []>(`SELECT max(created_at) AS last FROM ${MIGRATIONS_TABLE}`).get()
  return Number(row?.last ?? 0)
}

/** Migrations this binary carries that the database has not applied, read without writing anything. */
export function pendingMigrations(db: Db): string[] {
  const sqlite = db.$client
  const table = sqlite.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${MIGRATIONS_TABLE}'`).get()
  const row = table ? sqlite.query<{ last: number | null }, []>(`SELECT max(created_at) AS last FROM ${MIGRATIONS_TABLE}`).get() : null
  const last = Number(row?.last ?? 0)
  return migrations.filter((migration) => migration.folderMillis > last).map((migration) => migration.tag)
}

/** SQLite's own words, on one line: drizzle wraps them in an error that quotes the whole multi-line statement. */
function rootReason(error: unknown): string {
  let inner = error
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause
  return (inner instanceof Error ? inner.message : String(inner)).replace(/\s+/g, ' ').trim()
}

/** Applies pending migrations in one transaction and returns the tags it ran. */
export function migrate(db: Db): string[] {
  const last = lastAppliedMillis(db)
  const pending = migrations.filter((migration) => migration.folderMillis > last).map((migration) => migration.tag)
  if (pending.length === 0) return []
  try {
    // drizzle's own migrator reads a folder at run time; its dialect applies our embedded copy instead.
    const { dialect, session } = db as unknown as { dialect: SyncDialect; session: unknown }
    dialect.migrate(migrations, session, { migrationsTable: MIGRATIONS_TABLE })
  } catch (cause) {
    throw new MigrationError(`migration ${pending.join(', ')} failed and was rolled back: ${rootReason(cause)}`)
  }
  return pending
}
