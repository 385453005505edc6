/** `madblog migrate`, `migrate down [--to <tag>] [--force]` and `migrate status`, on either engine. */
import { existsSync, rmSync } from 'node:fs'
import type { Config } from '../config'
import { backupBeforeChange, backupSummary, type Backup } from '../db/backup'
import { openDatabase, type DatabaseHandle } from '../db/client'
import { describeCollision } from '../db/identity-keys'
import { migrate, migrations, migrationStatus, pendingMigrations, statements, type MigrationReport, type MigrationStatus } from '../db/migrate'
import { DestructiveDownError, downTargets, migrateDown } from '../db/migrate-down'
import { CommandError, UsageError, parse, printJson, table } from './command'
import { progress } from './progress'

const backupLine = (backup: Backup, reason: string) => `backed up the database to ${backupSummary(backup)} before ${reason}`

/**
 * The database held alone for the whole change: no server (or other command) can have it open meanwhile, so none
 * sees the schema change under it. Before anything changes, a database holding data is backed up.
 */
function withExclusiveDatabase<T>(config: Config, work: (database: DatabaseHandle) => T): T {
  const database = openDatabase(config.databasePath, { synchronous: config.sqliteSynchronous, exclusive: true })
  try {
    return work(database)
  } finally {
    database.close()
  }
}

const backupIfNeeded = (config: Config, database: DatabaseHandle, reason: string) =>
  backupBeforeChange(database.sqlite, config.databasePath, config.backupDir, reason)

function up(config: Config, args: string[]): number {
  const { values } = parse(args, { to: { type: 'string' }, quiet: { type: 'boolean' } }, { min: 0, max: 0 })
  return withExclusiveDatabase(config, (database) => {
    const pending = pendingMigrations(database.db, values.to)
    const backup = pending.length > 0 ? backupIfNeeded(config, database, 'migrate') : undefined
    if (backup) console.log(backupLine(backup, `applying ${pending.map((migration) => migration.tag).join(', ')}`))
    const line = progress('migrating', pending.reduce((sum, migration) => sum + statements(migration.sql).length, 0), 'statements', values.quiet)
    let report: MigrationReport
    try {
      report = migrate(database.db, { to: values.to, progress: line.update })
    } finally {
      line.finish()
    }
    if (report.applied.length > 0) console.log(`applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`)
    else console.log(values.to === undefined ? 'database is up to date' : `the database is at ${values.to} or past it: nothing to apply`)
    for (const collision of report.collisions) console.log(describeCollision(collision))
    return 0
  })
}

function down(config: Config, args: string[]): number {
  const { values } = parse(
    args,
    DOWN_OPTIONS,
    { min: 0, max: 0 },
  )
  if (config.databasePath !== ':memory:' && !existsSync(config.databasePath))
    throw new CommandError(`no database at ${config.databasePath} (check DATABASE_URL): there is nothing to revert`)
  return withExclusiveDatabase(config, (database) => {
    const targets = downTargets(database.db, values.to)
    if (targets.length === 0) {
      console.log(`the database is at ${values.to}: nothing to revert`)
      return 0
    }
    const tags = targets.map((migration) => migration.tag)
    const backup = backupIfNeeded(config, database, 'migrate-down')
    const line = progress('reverting', targets.reduce((sum, migration) => sum + statements(migration.down!).length, 0), 'statements', values.quiet)
    let outcome: ReturnType<typeof migrateDown>
    try {
      outcome = migrateDown(database.db, { to: values.to, force: values.force, progress: line.update })
    } catch (error) {
      // Refused before anything changed: the copy would only duplicate the database as it still is.
      if (backup && error instanceof DestructiveDownError) rmSync(backup.path)
      throw error
    } finally {
      line.finish()
    }
    if (backup) console.log(backupLine(backup, `reverting ${tags.join(', ')}`))
    console.log(`reverted ${outcome.reverted.length} migration(s): ${outcome.reverted.join(', ')}`)
    if (outcome.lost.length > 0) console.log(`dropped with --force: ${outcome.lost.join(', ')}`)
    return 0
  })
}

const DOWN_OPTIONS = { to: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' }, 'no-backup': { type: 'boolean' } } as const

type PostgresConfig = Config & { postgres: NonNullable<Config['postgres']> }

/** Runs `work` on one connection to PostgreSQL, so that the check for other madblog connections skips only this one. */
async function withPostgres<T>(config: PostgresConfig, work: (sql: import('bun').SQL) => Promise<T>): Promise<T> {
  const { openPostgres, waitForPostgres } = await import('../db/pg/client')
  const handle = openPostgres({ ...config.postgres, poolMax: 1 })
  try {
    await waitForPostgres(handle, config.postgres)
    return await work(handle.unbounded())
  } finally {
    await handle.close()
  }
}

async function upOnPostgres(config: PostgresConfig, args: string[]): Promise<number> {
  const { values } = parse(args, { to: { type: 'string' }, quiet: { type: 'boolean' } }, { min: 0, max: 0 })
  if (values.to !== undefined) throw new CommandError('migrate --to works on SQLite only; on PostgreSQL migrate applies every pending migration')
  const { migratePostgres } = await import('../db/pg/migrate')
  const applied = await withPostgres(config, migratePostgres)
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date')
  return 0
}

async function downOnPostgres(config: PostgresConfig, args: string[]): Promise<number> {
  const { values } = parse(args, DOWN_OPTIONS, { min: 0, max: 0 })
  // madblog copies SQLite files only: the operator takes the copy, and says so.
  if (!values['no-backup'])
    throw new CommandError(
      'madblog does not back up PostgreSQL: take a copy first (pg_dump --format=custom --file=before-down.dump "$DATABASE_URL"), then run again with --no-backup',
    )
  const { migratePostgresDown } = await import('../db/pg/migrate')
  const outcome = await withPostgres(config, async (sql) => {
    const [{ others }] = await sql`SELECT count(*)::int AS others FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'madblog' AND pid <> pg_backend_pid()`
    if (others > 0)
      throw new CommandError(`${others} other madblog connection(s) hold this database (running replicas?): stop them first, the down changes the schema under them`)
    return migratePostgresDown(sql, { to: values.to, force: values.force })
  })
  console.log(`reverted ${outcome.reverted.length} migration(s): ${outcome.reverted.join(', ')}`)
  if (outcome.lost.length > 0) console.log(`dropped with --force: ${outcome.lost.join(', ')}`)
  return 0
}

async function statusOnPostgres(config: PostgresConfig, args: string[]): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } }, { min: 0, max: 0 })
  const { postgresMigrationStatus } = await import('../db/pg/migrate')
  return printStatus(await withPostgres(config, postgresMigrationStatus), values.json === true, '')
}

const when = (migration: MigrationStatus) =>
  !migration.applied ? '' : migration.appliedAt ? migration.appliedAt.toISOString() : 'unrecorded (before madblog kept it)'

function status(config: Config, args: string[]): number {
  const { values } = parse(args, { json: { type: 'boolean' } }, { min: 0, max: 0 })
  // A missing file is not created just to be read: every migration is then pending.
  const missing = config.databasePath !== ':memory:' && !existsSync(config.databasePath)
  let report = { migrations: migrations.map((migration) => ({ tag: migration.tag, applied: false, appliedAt: null }) as MigrationStatus), unknown: 0 }
  if (!missing) {
    const database = openDatabase(config.databasePath, { synchronous: config.sqliteSynchronous })
    try {
      report = migrationStatus(database.db)
    } finally {
      database.close()
    }
  }
  return printStatus(report, values.json === true, missing ? ` (no database at ${config.databasePath} yet)` : '')
}

function printStatus(report: { migrations: MigrationStatus[]; unknown: number }, json: boolean, note: string): number {
  if (json) {
    printJson(report)
    return 0
  }
  const rows = report.migrations.map((migration) => ({ migration: migration.tag, status: migration.applied ? 'applied' : 'pending', 'applied at': when(migration) }))
  console.log(table(rows, ['migration', 'status', 'applied at']))
  const pending = report.migrations.filter((migration) => !migration.applied).length
  console.log(`${report.migrations.length - pending} applied, ${pending} pending${note}`)
  if (report.unknown > 0)
    console.log(`the database also records ${report.unknown} migration(s) this madblog does not carry: a newer madblog applied them`)
  return 0
}

export function migrateCommand(config: Config, args: string[]): number | Promise<number> {
  const [subcommand] = args
  if (config.postgres) {
    const postgres = { ...config, postgres: config.postgres }
    if (subcommand === 'down') return downOnPostgres(postgres, args.slice(1))
    if (subcommand === 'status') return statusOnPostgres(postgres, args.slice(1))
    if (subcommand === undefined || subcommand.startsWith('-')) return upOnPostgres(postgres, args)
  }
  if (subcommand === 'down') return down(config, args.slice(1))
  if (subcommand === 'status') return status(config, args.slice(1))
  if (subcommand === undefined || subcommand.startsWith('-')) return up(config, args)
  throw new UsageError(`unknown migrate subcommand "${subcommand}"`)
}
