import type { Db } from './client'
import { fillIdentityKeys, type IdentityCollision } from './identity-keys'
import { embeddedMigrations } from './migrations.macro' with { type: 'macro' }

const MIGRATIONS_TABLE = '__drizzle_migrations'
const migrations = embeddedMigrations()

export class MigrationError extends Error {}

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

export interface MigrationReport {
  /** The tags that ran. */
  applied: string[]
  /** Accounts that share an identity with an older one (src/db/identity-keys.ts). */
  collisions: IdentityCollision[]
}

/**
 * Applies pending migrations, then fills the identity keys SQLite cannot compute, all in one transaction:
 * a failure leaves the database as it was. drizzle's own migrator would commit before the keys are filled.
 */
export function migrate(db: Db): MigrationReport {
  const sqlite = db.$client
  const last = lastAppliedMillis(db)
  const pending = migrations.filter((migration) => migration.folderMillis > last)
  const applied = pending.map((migration) => migration.tag)
  try {
    const collisions = sqlite
      .transaction(() => {
        for (const migration of pending) {
          for (const statement of migration.sql) if (statement.trim()) sqlite.run(statement)
          sqlite.run(`INSERT INTO ${MIGRATIONS_TABLE} ("hash", "created_at") VALUES (?, ?)`, [migration.hash, migration.folderMillis])
        }
        return fillIdentityKeys(sqlite)
      })
      .immediate()
    return { applied, collisions }
  } catch (cause) {
    throw new MigrationError(`migration ${applied.join(', ') || '(identity keys)'} failed and was rolled back: ${rootReason(cause)}`)
  }
}
