/**
 * drizzle/pg/ walked up, down and up again on a database holding rows: each down gives back the schema and rows
 * from before (derived tables aside), the up after it what the first up gave, and a down that would lose what
 * users wrote is refused and changes nothing.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import type { SQL } from 'bun'
import { openPostgres } from '../../src/db/pg/client'
import { migratePostgres, migratePostgresDown, postgresMigrationStatus } from '../../src/db/pg/migrate'
import { DestructiveDownError } from '../../src/db/migrate-down'
import { embeddedMigrations } from '../../src/db/migrations.macro'
import { TEST_POSTGRES, freshPostgres, postgresConfig } from '../postgres'

const migrations = embeddedMigrations('pg')
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function database(): Promise<SQL> {
  const fresh = await freshPostgres()
  cleanups.push(fresh.drop)
  const handle = openPostgres(postgresConfig(fresh.url).postgres)
  cleanups.push(handle.close)
  return handle.sql
}

/** Columns, constraints, indexes, triggers and functions of the schema, and every row of every table but the bookkeeping. */
async function snapshot(sql: SQL) {
  const columns = await sql`SELECT table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name <> '__drizzle_migrations' ORDER BY 1, 2`
  const constraints = await sql`SELECT conrelid::regclass::text AS on, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text <> '__drizzle_migrations' ORDER BY 1, 2`
  const indexes = await sql`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> '__drizzle_migrations' ORDER BY 1`
  const triggers = await sql`SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`
  const functions = await sql`SELECT proname, prosrc FROM pg_proc WHERE pronamespace = current_schema()::regnamespace ORDER BY 1`
  const tables: { table_name: string }[] = await sql`SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '__drizzle_migrations' ORDER BY 1`
  const rows: Record<string, unknown[]> = {}
  for (const { table_name } of tables) rows[table_name] = [...(await sql.unsafe(`SELECT * FROM "${table_name}" ORDER BY 1`))]
  return { schema: { columns: [...columns], constraints: [...constraints], indexes: [...indexes], triggers: [...triggers], functions: [...functions] }, rows }
}

describe.skipIf(!TEST_POSTGRES)('PostgreSQL down migrations', () => {
  test('every migration has a reviewed down file beside it (drizzle/pg/<tag>.down.sql)', () => {
    for (const migration of migrations) expect({ tag: migration.tag, down: migration.down !== null }).toEqual({ tag: migration.tag, down: true })
  })

  test('up, down and up again gives the same schema and rows; status says when each ran', async () => {
    const sql = await database()
    const startedAt = Date.now()
    expect(await migratePostgres(sql)).toEqual(migrations.map((migration) => migration.tag))
    const status = await postgresMigrationStatus(sql)
    for (const migration of status.migrations) {
      expect(migration.applied).toBe(true)
      expect(migration.appliedAt!.getTime()).toBeGreaterThanOrEqual(startedAt - 1000)
    }
    // last_seen as the profiles migration derives it for the accounts it finds, so walking back up restores it.
    await sql`INSERT INTO users (username, email, password_hash, username_key, email_key) VALUES ('ann', 'ann@example.com', 'x', 'ann', 'ann@example.com')`
    await sql`UPDATE users SET last_seen = created_at`
    await sql`INSERT INTO tokens (user_id, token_hash, expires_at) SELECT id, 'hash', now() + interval '1 hour' FROM users`
    const up = await snapshot(sql)

    // Each down but the first migration's keeps ann (in the columns the first migration made: later downs drop
    // their own); walked back up, everything is as it was, and walked down again, each level is as before.
    const account = (rows: unknown[] = []) =>
      (rows as Record<string, unknown>[]).map(({ id, username, email, password_hash }) => ({ id, username, email, password_hash }))
    const newestFirst = migrations.slice(1).reverse()
    const levels = []
    for (const migration of newestFirst) {
      expect((await migratePostgresDown(sql)).reverted).toEqual([migration.tag])
      const down = await snapshot(sql)
      expect({ users: account(down.rows.users), tokens: down.rows.tokens }).toEqual({ users: account(up.rows.users), tokens: up.rows.tokens })
      levels.push(down)
    }
    expect(await migratePostgres(sql)).toEqual(migrations.slice(1).map((migration) => migration.tag))
    expect(await snapshot(sql)).toEqual(up)
    for (const [level, migration] of newestFirst.entries()) {
      expect((await migratePostgresDown(sql)).reverted).toEqual([migration.tag])
      expect(await snapshot(sql)).toEqual(levels[level]!)
    }
    await migratePostgres(sql)

    // The first migration's down drops ann: refused, and nothing changed; with force, the schema is empty.
    if (migrations.length > 1) await migratePostgresDown(sql, { to: migrations[0]!.tag })
    const beforeRefusal = await snapshot(sql)
    const refused = await migratePostgresDown(sql).catch((error) => error)
    expect(refused).toBeInstanceOf(DestructiveDownError)
    expect((refused as Error).message).toMatch(/would lose table users \(1 row\), table tokens \(1 row\)|would lose table tokens \(1 row\), table users \(1 row\)/)
    expect(await snapshot(sql)).toEqual(beforeRefusal)
    expect(await migratePostgresDown(sql, { force: true })).toEqual({ reverted: [migrations[0]!.tag], lost: expect.arrayContaining(['table users (1 row)']) })
    expect(await snapshot(sql)).toEqual({ schema: { columns: [], constraints: [], indexes: [], triggers: [], functions: [] }, rows: {} })
    expect((await postgresMigrationStatus(sql)).migrations.every((migration) => !migration.applied)).toBe(true)

    await migratePostgres(sql)
    expect((await snapshot(sql)).schema).toEqual(up.schema)
  }, 30_000)

  test('reverting with nothing applied, or to an unknown tag, is a clear refusal', async () => {
    const sql = await database()
    await migratePostgres(sql)
    await expect(migratePostgresDown(sql, { to: 'nope' })).rejects.toThrow('there is no migration nope (madblog migrate status lists them)')
    while ((await postgresMigrationStatus(sql)).migrations.some((migration) => migration.applied)) await migratePostgresDown(sql, { force: true })
    await expect(migratePostgresDown(sql)).rejects.toThrow('no migration has been applied: there is nothing to revert')
  }, 30_000)
})
