/** What every admin command shares: its arguments, its failures, the database it works on, and its output. */
import { existsSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Config } from '../config'
import { openDatabase, type DatabaseHandle } from '../db/client'
import { pendingMigrations } from '../db/migrate'
import * as sqliteSchema from '../db/schema'
import { sqliteStore, type Store } from '../db/store'
import { DomainError, NotFoundError, ValidationError } from '../services/errors'

/** Arguments that do not fit the command: the usage is printed and the exit is 2. */
export class UsageError extends Error {}

/** A command that cannot do what it was asked: one line on stderr, exit 1. */
export class CommandError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>

/** node:util's parseArgs, strict, with its complaint turned into a UsageError. */
export function parse<T extends Options>(args: string[], options: T, positionals: { min: number; max: number }) {
  let parsed
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message.split('. ')[0]!)
  }
  const count = parsed.positionals.length
  if (count < positionals.min || count > positionals.max)
    throw new UsageError(count < positionals.min ? 'missing argument' : `unexpected argument "${parsed.positionals[positionals.max]}"`)
  return parsed
}

/** A service's refusal in one line, in the words the API uses: `username: Please use a different username.` */
export function describeFailure(error: DomainError): string {
  if (error instanceof ValidationError && typeof error.detail !== 'string')
    return Object.entries(error.detail)
      .map(([field, message]) => `${field}: ${message}`)
      .join('; ')
  return error.message
}

/** Runs a service call; what it refuses becomes a CommandError (with `subject` named if it was not found). */
export async function service<T>(call: () => T | Promise<T>, subject?: string): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof NotFoundError && subject !== undefined) throw new CommandError(`${error.message}: ${subject}`)
    if (error instanceof DomainError) throw new CommandError(describeFailure(error))
    throw error
  }
}

/**
 * The configured database for an admin command, beside a running server if there is one (WAL lets both in). It
 * must exist and be migrated: a command never creates or changes the schema.
 */
export function openForAdmin(config: Config): DatabaseHandle {
  if (config.databasePath !== ':memory:' && !existsSync(config.databasePath))
    throw new CommandError(`no database at ${config.databasePath} (check DATABASE_URL, or create it with madblog migrate)`)
  const database = openDatabase(config.databasePath, { synchronous: config.sqliteSynchronous })
  const pending = pendingMigrations(database.db)
  if (pending.length > 0) {
    database.close()
    throw new CommandError(`the database needs migrating first (${pending.map((migration) => migration.tag).join(', ')}): run madblog migrate`)
  }
  return database
}

/** Runs `work` with the admin database open, closing it however `work` ends. */
export async function withDatabase<T>(config: Config, work: (database: DatabaseHandle) => Promise<T> | T): Promise<T> {
  const database = openForAdmin(config)
  try {
    return await work(database)
  } finally {
    database.close()
  }
}

/** The admin commands' database on either engine: its store, and what the console puts in scope. */
export interface AdminDatabase {
  store: Store
  engine: 'sqlite' | 'postgres'
  /** Where it is, for messages (a PostgreSQL URL without its password). */
  where: string
  /** For the console: db (Drizzle), schema, and the engine's own client (sqlite or pg). */
  scope: Record<string, unknown>
  /** PostgreSQL's pool, for work that needs its own transaction (import-flask). */
  pg?: import('bun').SQL
}

/**
 * PostgreSQL as an admin command needs it: reached within PG_STARTUP_WAIT_SECONDS and migrated (a command never
 * changes the schema), beside any number of running replicas.
 */
async function openPostgresForAdmin(config: Config & { postgres: NonNullable<Config['postgres']> }) {
  const { describeUrl, openPostgres, waitForPostgres } = await import('../db/pg/client')
  const { postgresMigrationStatus } = await import('../db/pg/migrate')
  const { postgresStore } = await import('../db/pg/store')
  const schema = await import('../db/pg/schema')
  const handle = openPostgres(config.postgres)
  try {
    await waitForPostgres(handle, config.postgres)
    const pending = (await postgresMigrationStatus(handle.sql)).migrations.filter((migration) => !migration.applied)
    if (pending.length > 0)
      throw new CommandError(`the database needs migrating first (${pending.map((migration) => migration.tag).join(', ')}): run madblog migrate`)
  } catch (error) {
    await handle.close()
    throw error
  }
  const database: AdminDatabase = {
    store: postgresStore(handle.db, handle.sql, config.rateLimits),
    engine: 'postgres',
    where: describeUrl(config.postgres.url),
    scope: { db: handle.db, pg: handle.sql, schema },
    pg: handle.sql,
  }
  return { database, close: handle.close }
}

/** Runs `work` with the admin database of the configured engine open, closing it however `work` ends. */
export async function withAdminDatabase<T>(config: Config, work: (database: AdminDatabase) => Promise<T> | T): Promise<T> {
  if (config.postgres) {
    const { database, close } = await openPostgresForAdmin({ ...config, postgres: config.postgres })
    try {
      return await work(database)
    } finally {
      await close()
    }
  }
  return withDatabase(config, (database) =>
    work({ store: sqliteStore(database.db), engine: 'sqlite', where: config.databasePath, scope: { db: database.db, sqlite: database.sqlite, schema: sqliteSchema } }),
  )
}

/** Rows as a plain-text table: a header, a rule, and left-aligned columns. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '')))
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((cell) => cell[index]!.length)))
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join('  ').trimEnd()
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n')
}

export const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2))
