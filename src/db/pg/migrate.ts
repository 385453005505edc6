import type { SQL } from 'bun'
import { MigrationError, statements, type MigrationStatus } from '../migrate'
import { DestructiveDownError, losses, pickDownTargets, type TableCensus } from '../migrate-down'
import { isPostgresUnavailable } from './unavailable'
import { embeddedMigrations } from '../migrations.macro' with { type: 'macro' }

const MIGRATIONS_TABLE = '__drizzle_migrations'
const migrations = embeddedMigrations('pg')
// Any constant of madblog's own: replicas starting together queue on it, and only the first finds work to do.
const MIGRATION_LOCK = String(0x6d6164626c6f67)

interface AppliedRow {
  created_at: number
  applied_at: number | null
}

/** What the bookkeeping records, oldest first, read without creating it (`applied_at` is madblog's, as on SQLite). */
async function appliedRows(sql: SQL): Promise<AppliedRow[]> {
  const columns: { column_name: string }[] = await sql`SELECT column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${MIGRATIONS_TABLE}`
  if (columns.length === 0) return []
  const appliedAt = columns.some((column) => column.column_name === 'applied_at') ? 'applied_at::float8' : 'NULL'
  const rows: AppliedRow[] = await sql.unsafe(`SELECT created_at::float8 AS created_at, ${appliedAt} AS applied_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at`)
  return rows.map((row) => ({ created_at: Number(row.created_at), applied_at: row.applied_at === null ? null : Number(row.applied_at) }))
}

/** The tags of the migrations this binary carries that the database has not recorded (the readiness check's one query). */
export async function pendingPostgresMigrations(sql: SQL): Promise<string[]> {
  const [row] = await sql.unsafe(`SELECT coalesce(max(created_at), 0)::float8 AS last FROM ${MIGRATIONS_TABLE}`)
  return migrations.filter((migration) => migration.folderMillis > Number(row.last)).map((migration) => migration.tag)
}

/** `madblog migrate status` on PostgreSQL: the same report as SQLite's migrationStatus. */
export async function postgresMigrationStatus(sql: SQL): Promise<{ migrations: MigrationStatus[]; unknown: number }> {
  const rows = await appliedRows(sql)
  const byTime = new Map(rows.map((row) => [row.created_at, row]))
  const last = rows.at(-1)?.created_at ?? 0
  return {
    migrations: migrations.map((migration) => {
      const applied_at = byTime.get(migration.folderMillis)?.applied_at
      return { tag: migration.tag, applied: migration.folderMillis <= last, appliedAt: applied_at ? new Date(applied_at) : null }
    }),
    unknown: rows.filter((row) => !migrations.some((migration) => migration.folderMillis === row.created_at)).length,
  }
}

const failure = (what: string, cause: unknown) =>
  isPostgresUnavailable(cause) || cause instanceof MigrationError
    ? cause
    : new MigrationError(`${what} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`)

/**
 * Applies pending migrations in one transaction that first takes a PostgreSQL advisory lock, so that replicas
 * started at once migrate once: the others wait for the lock, then find nothing pending. Returns the tags run.
 */
export async function migratePostgres(sql: SQL): Promise<string[]> {
  try {
    return await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}::bigint)`
      await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`)
      await tx.unsafe(`ALTER TABLE ${MIGRATIONS_TABLE} ADD COLUMN IF NOT EXISTS applied_at bigint`)
      const [row] = await tx.unsafe(`SELECT coalesce(max(created_at), 0)::float8 AS last FROM ${MIGRATIONS_TABLE}`)
      const pending = migrations.filter((migration) => migration.folderMillis > Number(row.last))
      for (const migration of pending) {
        for (const statement of migration.sql) if (statement.trim()) await tx.unsafe(statement)
        await tx`INSERT INTO __drizzle_migrations (hash, created_at, applied_at) VALUES (${migration.hash}, ${migration.folderMillis}, ${Date.now()})`
      }
      return pending.map((migration) => migration.tag)
    })
  } catch (cause) {
    throw failure('PostgreSQL migration', cause)
  }
}

/** Rows per table and, per column, the rows holding something other than its default (a sequence's counts as NULL). */
async function census(tx: SQL): Promise<Map<string, TableCensus>> {
  const columns: { table_name: string; column_name: string; column_default: string | null }[] = await tx`
    SELECT c.table_name, c.column_name, c.column_default FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> ${MIGRATIONS_TABLE}
    ORDER BY c.table_name, c.ordinal_position`
  const result = new Map<string, TableCensus>()
  for (const name of new Set(columns.map((column) => column.table_name))) {
    const own = columns.filter((column) => column.table_name === name)
    const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`
    const set = own.map((column, index) => {
      const fallback = column.column_default === null || column.column_default.includes('nextval(') ? 'NULL' : `(${column.column_default})`
      return `count(*) FILTER (WHERE ${quote(column.column_name)} IS DISTINCT FROM ${fallback})::float8 AS c${index}`
    })
    const [row] = await tx.unsafe(`SELECT count(*)::float8 AS rows${set.map((count) => `, ${count}`).join('')} FROM ${quote(name)}`)
    result.set(name, { rows: Number(row.rows), values: new Map(own.map((column, index) => [column.column_name, Number(row[`c${index}`])])) })
  }
  return result
}

/**
 * `madblog migrate down` on PostgreSQL: under the migration lock, in one transaction, reverts the latest migration
 * or every one above `to`, refusing (unless `force`) a down that loses data users put in, as on SQLite.
 */
export async function migratePostgresDown(sql: SQL, options: { to?: string; force?: boolean } = {}): Promise<{ reverted: string[]; lost: string[] }> {
  try {
    return await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}::bigint)`
      const applied = (await appliedRows(tx))
        .reverse()
        .map((row) => ({ createdAt: row.created_at, migration: migrations.find((migration) => migration.folderMillis === row.created_at) }))
      const chosen = pickDownTargets(applied, migrations, options.to, 'drizzle/pg')
      const lostAll: string[] = []
      for (const migration of chosen) {
        const before = await census(tx)
        for (const statement of statements(migration.down!)) await tx.unsafe(statement)
        await tx`DELETE FROM __drizzle_migrations WHERE created_at = ${migration.folderMillis}`
        const lost = losses(before, await census(tx), migration.derived)
        if (lost.length > 0 && !options.force) throw new DestructiveDownError(migration.tag, lost)
        lostAll.push(...lost)
      }
      return { reverted: chosen.map((migration) => migration.tag), lost: lostAll }
    })
  } catch (cause) {
    throw failure('reverting on PostgreSQL', cause)
  }
}
