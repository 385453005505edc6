/**
 * Every migration in drizzle/ walked up, down and up again on a database holding rows: each down must give back
 * exactly the schema (sqlite_master) and rows from before its up, and each repeated up exactly what the first
 * gave. Generic over the migrations: rows are made from each table's own column list, so a new migration needs
 * nothing here, only its drizzle/<tag>.down.sql.
 */
import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { openDatabase } from '../../src/db/client'
import { MIGRATIONS_TABLE, dataTables, migrate, migrations, migrationStatus } from '../../src/db/migrate'
import { DestructiveDownError, migrateDown } from '../../src/db/migrate-down'

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** The schema (without page numbers) and every row of every table but the bookkeeping one. */
function snapshot(sqlite: Database) {
  const schema = sqlite
    .query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != ? ORDER BY type, name")
    .all(MIGRATIONS_TABLE)
  const rows = Object.fromEntries(
    [...dataTables(sqlite), 'sqlite_sequence']
      .filter((table) => sqlite.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(table))
      .map((table) => [table, sqlite.query(`SELECT * FROM ${quote(table)} ORDER BY 1, 2`).all()]),
  )
  return { schema, rows }
}

let serial = 0
// What some migration builds from other data (its down file's `-- derived:` lines) is the migrations' to fill.
const derived = new Set(migrations.flatMap((migration) => migration.derived))

/** One more row in every table users fill, parents before children, each column filled by its declared type. */
function seed(sqlite: Database) {
  const tables = dataTables(sqlite).filter((table) => !derived.has(table))
  const parents = (table: string) =>
    sqlite.query<{ table: string }, []>(`PRAGMA foreign_key_list(${quote(table)})`).all().map((key) => key.table)
  const ordered: string[] = []
  const visit = (table: string) => {
    if (ordered.includes(table)) return
    for (const parent of parents(table)) if (parent !== table && tables.includes(parent)) visit(parent)
    if (!ordered.includes(table)) ordered.push(table)
  }
  tables.forEach(visit)
  for (const table of ordered) {
    const keys = sqlite.query<{ from: string; table: string; to: string | null }, []>(`PRAGMA foreign_key_list(${quote(table)})`).all()
    const columns = sqlite
      .query<{ name: string; type: string; pk: number; notnull: number; dflt_value: string | null }, []>(`PRAGMA table_info(${quote(table)})`)
      .all()
      .filter((column) => !(column.pk && /int/i.test(column.type)) && column.dflt_value === null)
      .filter((column) => column.notnull || !derived.has(`${table}.${column.name}`))
    const values = columns.map((column) => {
      serial++
      const key = keys.find((candidate) => candidate.from === column.name)
      if (key) return sqlite.query<{ id: number }, []>(`SELECT max(${key.to ? quote(key.to) : 'rowid'}) AS id FROM ${quote(key.table)}`).get()!.id
      if (/int|num|real/i.test(column.type)) return 1_700_000_000_000 + serial
      return `${column.name}-${serial}`
    })
    sqlite.run(
      `INSERT INTO ${quote(table)} (${columns.map((column) => quote(column.name)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      values,
    )
  }
}

describe('down migrations', () => {
  test('every migration has a reviewed down file beside it (drizzle/<tag>.down.sql)', () => {
    const missing = migrations.filter((migration) => migration.down === null).map((migration) => `drizzle/${migration.tag}.down.sql`)
    expect(missing).toEqual([])
  })

  test('each migration, walked up, down and up again with rows in every table, gives the same schema and rows', () => {
    const database = openDatabase(':memory:')
    const sqlite = database.sqlite
    // Rows as the app leaves them: a start at the current level applies nothing but fills what JavaScript derives
    // from them (the identity keys, src/db/identity-keys.ts).
    const seedAt = (level: string | undefined) => {
      seed(sqlite)
      if (level !== undefined) expect(migrate(database.db, { to: level }).applied).toEqual([])
    }
    migrate(database.db)
    seedAt(migrations.at(-1)!.tag)
    for (const [index, migration] of [...migrations.entries()].reverse()) {
      expect(migrateDown(database.db, { force: true }).reverted).toEqual([migration.tag])
      seedAt(migrations[index - 1]?.tag)
      const below = snapshot(sqlite)
      expect(migrate(database.db, { to: migration.tag }).applied).toEqual([migration.tag])
      const above = snapshot(sqlite)
      expect(migrateDown(database.db, { force: true }).reverted).toEqual([migration.tag])
      expect({ tag: migration.tag, ...snapshot(sqlite) }).toEqual({ tag: migration.tag, ...below })
      expect(migrate(database.db, { to: migration.tag }).applied).toEqual([migration.tag])
      expect({ tag: migration.tag, ...snapshot(sqlite) }).toEqual({ tag: migration.tag, ...above })
      migrateDown(database.db, { force: true })
    }
    // At the bottom only the bookkeeping (and SQLite's own sequence table) is left, and nothing is applied.
    expect(dataTables(sqlite)).toEqual([])
    expect(migrationStatus(database.db).migrations.every((migration) => !migration.applied)).toBe(true)
    database.close()
  })

  test('a down that would drop rows users wrote is refused without force, names them, and changes nothing', () => {
    const database = openDatabase(':memory:')
    migrate(database.db)
    database.sqlite.run("INSERT INTO users (username, email, password_hash) VALUES ('ann', 'ann@example.com', 'x')")
    // Downs that lose nothing go through; the one that drops the users table must stop.
    for (;;) {
      const before = snapshot(database.sqlite)
      const applied = migrationStatus(database.db).migrations.filter((migration) => migration.applied).length
      let refusal: unknown
      try {
        migrateDown(database.db)
      } catch (error) {
        refusal = error
      }
      if (refusal === undefined) continue
      expect(refusal).toBeInstanceOf(DestructiveDownError)
      expect((refusal as Error).message).toMatch(/^reverting \S+ would lose table users \(1 row\).*; run again with --force to revert it anyway$/)
      expect(snapshot(database.sqlite)).toEqual(before)
      expect(migrationStatus(database.db).migrations.filter((migration) => migration.applied)).toHaveLength(applied)
      break
    }
    database.close()
  })

  test('an empty database reverts without force: there is nothing to lose', () => {
    const database = openDatabase(':memory:')
    migrate(database.db)
    expect(migrateDown(database.db, { to: migrations[0]!.tag })).toEqual({ lost: [], reverted: migrations.slice(1).map((migration) => migration.tag).reverse() })
    expect(migrateDown(database.db)).toEqual({ lost: [], reverted: [migrations[0]!.tag] })
    expect(() => migrateDown(database.db)).toThrow('no migration has been applied: there is nothing to revert')
    database.close()
  })
})

test('a start with nothing pending checks no foreign key: that reads every post, 1.3 s at a million', () => {
  const { db, sqlite } = openDatabase(':memory:')
  migrate(db)
  const sent: string[] = []
  for (const method of ['query', 'prepare', 'run'] as const) {
    const original = sqlite[method].bind(sqlite) as (sql: string, ...rest: unknown[]) => unknown
    ;(sqlite as unknown as Record<string, unknown>)[method] = (sql: string, ...rest: unknown[]) => (sent.push(sql), original(sql, ...rest))
  }
  expect(migrate(db)).toEqual({ applied: [], collisions: [] })
  expect(sent.length).toBeGreaterThan(0)
  expect(sent.filter((sql) => /foreign_key/i.test(sql))).toEqual([])
})
