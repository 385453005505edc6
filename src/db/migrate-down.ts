import type { Database } from 'bun:sqlite'
import type { Db } from './client'
import {
  MIGRATIONS_TABLE,
  MigrationError,
  dataTables,
  appliedMigrations,
  migrations,
  rootReason,
  schemaTransaction,
  statements,
  type StatementProgress,
} from './migrate'
import type { EmbeddedMigration } from './migrations.macro'

/** A down that would drop data users put there; `losses` says what, e.g. "column users.bio (3 values)". */
export class DestructiveDownError extends MigrationError {
  constructor(readonly tag: string, readonly losses: string[]) {
    super(`reverting ${tag} would lose ${losses.join(', ')}; run again with --force to revert it anyway`)
  }
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

export interface TableCensus {
  rows: number
  /** Per column, how many rows hold something other than the column's default (what its ADD COLUMN put there). */
  values: Map<string, number>
}

/** Rows per table and set values per column, in one scan of each table. */
function census(sqlite: Database): Map<string, TableCensus> {
  const result = new Map<string, TableCensus>()
  for (const name of dataTables(sqlite)) {
    const columns = sqlite.query<{ name: string; dflt_value: string | null }, []>(`PRAGMA table_info(${quote(name)})`).all()
    const counts = columns.map(
      (column, index) => `coalesce(sum(${quote(column.name)} IS NOT ${column.dflt_value === null ? 'NULL' : `(${column.dflt_value})`}), 0) AS c${index}`,
    )
    const row = sqlite.query<Record<string, number>, []>(`SELECT count(*) AS rows${counts.map((count) => `, ${count}`).join('')} FROM ${quote(name)}`).get()!
    result.set(name, { rows: row.rows!, values: new Map(columns.map((column, index) => [column.name, row[`c${index}`]!])) })
  }
  return result
}

/** What disappeared between two censuses, except what the migration declares derived. */
export function losses(before: Map<string, TableCensus>, after: Map<string, TableCensus>, derived: string[]): string[] {
  const lost: string[] = []
  for (const [table, was] of before) {
    if (derived.includes(table)) continue
    const now = after.get(table)
    if (!now) {
      if (was.rows > 0) lost.push(`table ${table} (${count(was.rows, 'row')})`)
      continue
    }
    if (now.rows < was.rows) lost.push(`${count(was.rows - now.rows, 'row')} of ${table}`)
    for (const [column, set] of was.values)
      if (!now.values.has(column) && set > 0 && !derived.includes(`${table}.${column}`))
        lost.push(`column ${table}.${column} (${count(set, 'value')})`)
  }
  return lost
}

/** Which applied migrations to revert, newest first: the latest, or every one above `to`. */
export function downTargets(db: Db, to: string | undefined): EmbeddedMigration[] {
  return pickDownTargets(appliedMigrations(db), migrations, to, 'drizzle')
}

/** From the applied migrations (newest first) and those this build carries (from `folder`), the ones to revert. */
export function pickDownTargets(
  applied: { createdAt: number; migration?: EmbeddedMigration }[],
  carried: EmbeddedMigration[],
  to: string | undefined,
  folder: string,
): EmbeddedMigration[] {
  if (applied.length === 0) throw new MigrationError('no migration has been applied: there is nothing to revert')
  let chosen = applied.slice(0, 1)
  if (to !== undefined) {
    const index = applied.findIndex((entry) => entry.migration?.tag === to)
    if (index < 0)
      throw new MigrationError(
        carried.some((migration) => migration.tag === to)
          ? `${to} is not applied, so the database cannot be reverted to it`
          : `there is no migration ${to} (madblog migrate status lists them)`,
      )
    chosen = applied.slice(0, index)
  }
  return chosen.map(({ createdAt, migration }) => {
    if (!migration)
      throw new MigrationError(`the database's latest migration (created ${new Date(createdAt).toISOString()}) is unknown to this madblog: revert it with the madblog that applied it`)
    if (!migration.down) throw new MigrationError(`${migration.tag} has no down migration (${folder}/${migration.tag}.down.sql), so it cannot be reverted`)
    return migration
  })
}

/**
 * Reverts the latest applied migration, or (`to`) every one applied after that tag, in one transaction, and
 * returns the tags reverted and what went with them. A down that would lose data users put in (rows, or values
 * other than a column's default) is refused unless `force`, before anything is committed.
 */
export function migrateDown(
  db: Db,
  options: { to?: string; force?: boolean; progress?: StatementProgress } = {},
): { reverted: string[]; lost: string[] } {
  const sqlite = db.$client
  const chosen = downTargets(db, options.to)
  const total = chosen.reduce((sum, migration) => sum + statements(migration.down!).length, 0)
  let done = 0
  const lostAll: string[] = []
  try {
    schemaTransaction(sqlite, () => {
      for (const migration of chosen) {
        const before = census(sqlite)
        for (const statement of statements(migration.down!)) {
          options.progress?.(done++, total)
          sqlite.run(statement)
        }
        sqlite.run(`DELETE FROM ${MIGRATIONS_TABLE} WHERE created_at = ?`, [migration.folderMillis])
        const lost = losses(before, census(sqlite), migration.derived)
        if (lost.length > 0 && !options.force) throw new DestructiveDownError(migration.tag, lost)
        lostAll.push(...lost)
      }
    })
  } catch (cause) {
    if (cause instanceof MigrationError) throw cause
    throw new MigrationError(`reverting ${chosen.map((migration) => migration.tag).join(', ')} failed and was rolled back: ${rootReason(cause)}`)
  }
  options.progress?.(total, total)
  return { reverted: chosen.map((migration) => migration.tag), lost: lostAll }
}
