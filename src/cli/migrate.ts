/** `madblog migrate`, `migrate down [--to <tag>] [--force]` and `migrate status`. */
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
    { to: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' } },
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
  if (values.json) {
    printJson(report)
    return 0
  }
  const rows = report.migrations.map((migration) => ({ migration: migration.tag, status: migration.applied ? 'applied' : 'pending', 'applied at': when(migration) }))
  console.log(table(rows, ['migration', 'status', 'applied at']))
  const pending = report.migrations.filter((migration) => !migration.applied).length
  console.log(`${report.migrations.length - pending} applied, ${pending} pending${missing ? ` (no database at ${config.databasePath} yet)` : ''}`)
  if (report.unknown > 0)
    console.log(`the database also records ${report.unknown} migration(s) this madblog does not carry: a newer madblog applied them`)
  return 0
}

export function migrateCommand(config: Config, args: string[]): number {
  const [subcommand] = args
  if (subcommand === 'down') return down(config, args.slice(1))
  if (subcommand === 'status') return status(config, args.slice(1))
  if (subcommand === undefined || subcommand.startsWith('-')) return up(config, args)
  throw new UsageError(`unknown migrate subcommand "${subcommand}"`)
}
