import type { SQL } from 'bun'
import { MigrationError } from '../migrate'
import { isPostgresUnavailable } from './unavailable'
import { embeddedMigrations } from '../migrations.macro' with { type: 'macro' }

const MIGRATIONS_TABLE = '__drizzle_migrations'
const migrations = embeddedMigrations('pg')
// Any constant of madblog's own: replicas starting together queue on it, and only the first finds work to do.
const MIGRATION_LOCK = String(0x6d6164626c6f67)

/** The tags of the migrations this binary carries that the database has not recorded. */
export async function pendingPostgresMigrations(sql: SQL): Promise<string[]> {
  const [row] = await sql.unsafe(`SELECT coalesce(max(created_at), 0)::float8 AS last FROM ${MIGRATIONS_TABLE}`)
  return migrations.filter((migration) => migration.folderMillis > Number(row.last)).map((migration) => migration.tag)
}

/**
 * Applies pending migrations in one transaction that first takes a PostgreSQL advisory lock, so that replicas
 * started at once migrate once: the others wait for the lock, then find nothing pending. Returns the tags run.
 */
export async function migratePostgres(sql: SQL): Promise<string[]> {
  try {
    return await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}::bigint)`
      await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`)
      const [row] = await tx.unsafe(`SELECT coalesce(max(created_at), 0)::float8 AS last FROM ${MIGRATIONS_TABLE}`)
      const pending = migrations.filter((migration) => migration.folderMillis > Number(row.last))
      for (const migration of pending) {
        for (const statement of migration.sql) if (statement.trim()) await tx.unsafe(statement)
        await tx`INSERT INTO __drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`
      }
      return pending.map((migration) => migration.tag)
    })
  } catch (cause) {
    if (isPostgresUnavailable(cause)) throw cause
    throw new MigrationError(`PostgreSQL migration failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
}
