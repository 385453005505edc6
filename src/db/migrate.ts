import type { Database } from 'bun:sqlite'
import type { Db } from './client'
import { fillIdentityKeys, type IdentityCollision } from './identity-keys'
import { embeddedMigrations, type EmbeddedMigration } from './migrations.macro' with { type: 'macro' }

export const MIGRATIONS_TABLE = '__drizzle_migrations'
export const migrations: EmbeddedMigration[] = embeddedMigrations()

export class MigrationError extends Error {}

/** Called before each statement of a run, with how many of its `total` statements are done. */
export type StatementProgress = (done: number, total: number) => void

interface AppliedRow {
  created_at: number
  applied_at: number | null
}

/**
 * drizzle's own bookkeeping table, so drizzle-kit agrees with madblog about what ran; madblog adds `applied_at`
 * (drizzle records only each migration's creation time) so that `migrate status` can say when it ran.
 */
function bookkeeping(sqlite: Database) {
  sqlite.run(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`)
  const columns = sqlite.query<{ name: string }, []>(`PRAGMA table_info(${MIGRATIONS_TABLE})`).all()
  if (!columns.some((column) => column.name === 'applied_at')) sqlite.run(`ALTER TABLE ${MIGRATIONS_TABLE} ADD COLUMN applied_at integer`)
}

/** What the bookkeeping records, read without creating or changing it (admin commands only read). */
function appliedRows(sqlite: Database): AppliedRow[] {
  const columns = sqlite.query<{ name: string }, []>(`PRAGMA table_info(${MIGRATIONS_TABLE})`).all().map((column) => column.name)
  if (columns.length === 0) return []
  const appliedAt = columns.includes('applied_at') ? 'applied_at' : 'NULL'
  return sqlite
    .query<AppliedRow, []>(`SELECT cast(created_at AS integer) AS created_at, ${appliedAt} AS applied_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at`)
    .all()
}

/** The tables madblog's migrations made: all but SQLite's own and the bookkeeping. */
export const dataTables = (sqlite: Database): string[] =>
  sqlite
    .query<{ name: string }, [string]>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name != ? ORDER BY name",
    )
    .all(MIGRATIONS_TABLE)
    .map((row) => row.name)

/** SQLite's own words, on one line: drizzle wraps them in an error that quotes the whole multi-line statement. */
export function rootReason(error: unknown): string {
  let inner = error
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause
  return (inner instanceof Error ? inner.message : String(inner)).replace(/\s+/g, ' ').trim()
}

/** The statements of a migration file worth running: a chunk holding only comments is skipped. */
export const statements = (chunks: string[]) => chunks.filter((chunk) => chunk.replace(/^\s*--.*$/gm, '').trim() !== '')

/** Migrations newer than the last one recorded, as drizzle decides it; with `to`, only those up to that tag. */
export function pendingMigrations(db: Db, to?: string): EmbeddedMigration[] {
  const rows = appliedRows(db.$client)
  const last = rows.at(-1)?.created_at ?? 0
  const pending = migrations.filter((migration) => migration.folderMillis > last)
  if (to === undefined) return pending
  const target = migrations.find((migration) => migration.tag === to)
  if (!target) throw new MigrationError(`there is no migration ${to} (madblog migrate status lists them)`)
  return pending.filter((migration) => migration.folderMillis <= target.folderMillis)
}

/**
 * Runs `change` in one immediate transaction with foreign keys off, as SQLite's procedure for schema changes
 * asks (a table rebuild would otherwise cascade or fail), and refuses to commit if it left a dangling reference.
 */
export function schemaTransaction<T>(sqlite: Database, change: () => T): T {
  const enforced = sqlite.query<{ foreign_keys: number }, []>('PRAGMA foreign_keys').get()?.foreign_keys === 1
  sqlite.run('PRAGMA foreign_keys = OFF')
  try {
    return sqlite.transaction(() => {
      const result = change()
      const dangling = sqlite.query<{ table: string }, []>('PRAGMA foreign_key_check').all()
      if (dangling.length > 0) throw new Error(`it leaves ${dangling.length} row(s) of ${dangling[0]!.table} pointing at nothing`)
      return result
    }).immediate()
  } finally {
    if (enforced) sqlite.run('PRAGMA foreign_keys = ON')
  }
}

export interface MigrationReport {
  /** The tags that ran. */
  applied: string[]
  /** Accounts that share an identity with an older one (src/db/identity-keys.ts). */
  collisions: IdentityCollision[]
}

/** Whether the schema has the identity-key columns, which only JavaScript can fill (below). */
const hasIdentityKeys = (sqlite: Database) =>
  sqlite.query<{ name: string }, []>('PRAGMA table_info(users)').all().some((column) => column.name === 'username_key')

/**
 * Applies pending migrations (up to and including `to`, if given), then fills the identity keys SQLite cannot
 * compute, all in one transaction: a failure leaves the database as it was. The keys are filled at every run,
 * even with nothing pending, so that an account freed of a collision gets its key at the next start.
 */
export function migrate(db: Db, options: { to?: string; progress?: StatementProgress } = {}): MigrationReport {
  const sqlite = db.$client
  bookkeeping(sqlite)
  const pending = pendingMigrations(db, options.to)
  const applied = pending.map((migration) => migration.tag)
  const total = pending.reduce((sum, migration) => sum + statements(migration.sql).length, 0)
  let done = 0
  const fillKeys = () => (hasIdentityKeys(sqlite) ? fillIdentityKeys(sqlite) : [])
  try {
    // Nothing pending, as at most starts: the keys alone change no foreign key, and checking them all reads every
    // post (1.3 s of a million-post start).
    if (pending.length === 0) return { applied, collisions: sqlite.transaction(fillKeys).immediate() }
    const collisions = schemaTransaction(sqlite, () => {
      for (const migration of pending) {
        for (const statement of statements(migration.sql)) {
          options.progress?.(done++, total)
          sqlite.run(statement)
        }
        sqlite.run(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at, applied_at) VALUES (?, ?, ?)`, [
          migration.hash,
          migration.folderMillis,
          Date.now(),
        ])
      }
      return fillKeys()
    })
    if (total > 0) options.progress?.(total, total)
    return { applied, collisions }
  } catch (cause) {
    throw new MigrationError(`migration ${applied.join(', ') || '(identity keys)'} failed and was rolled back: ${rootReason(cause)}`)
  }
}

export interface MigrationStatus {
  tag: string
  applied: boolean
  /** When it ran; null if it ran before madblog recorded that. */
  appliedAt: Date | null
}

/**
 * Every migration this madblog knows, applied or pending, in order; `unknown` counts migrations the database
 * records that this build does not carry (a newer madblog ran them).
 */
export function migrationStatus(db: Db): { migrations: MigrationStatus[]; unknown: number } {
  const rows = appliedRows(db.$client)
  const byTime = new Map(rows.map((row) => [row.created_at, row]))
  const last = rows.at(-1)?.created_at ?? 0
  return {
    migrations: migrations.map((migration) => {
      const row = byTime.get(migration.folderMillis)
      return {
        tag: migration.tag,
        applied: migration.folderMillis <= last,
        appliedAt: row?.applied_at ? new Date(row.applied_at) : null,
      }
    }),
    unknown: rows.filter((row) => !migrations.some((migration) => migration.folderMillis === row.created_at)).length,
  }
}

/** The applied migrations, newest first, each matched to what this build carries (undefined: unknown to it). */
export function appliedMigrations(db: Db): { createdAt: number; migration?: EmbeddedMigration }[] {
  return appliedRows(db.$client)
    .reverse()
    .map((row) => ({ createdAt: row.created_at, migration: migrations.find((migration) => migration.folderMillis === row.created_at) }))
}
