#!/usr/bin/env bun
import { VERSION } from './app'
import { ConfigError, SETTING_NAMES, loadConfig, settingWarnings, type Config } from './config'
import { BackupError, backupDatabase } from './db/backup'
import { DatabaseOpenError, openDatabase } from './db/client'
import { describeCollision } from './db/identity-keys'
import { MigrationError, migrate } from './db/migrate'
import { TransferError } from './db/transfer-error'
import { READY_PATH } from './http/readiness'
import { createLogger } from './log'
import { ListenError, serve } from './server'

/** Breaks a line at spaces so that none is longer than `width`. */
const wrap = (text: string, width: number) => text.replace(new RegExp(`(.{1,${width}})( |$)`, 'g'), '  $1\n').trimEnd()

const USAGE = `madblog ${VERSION}: the madblog account and token service

Usage: madblog [command]

Commands:
  serve          migrate the database, then serve HTTP (the default)
  migrate        apply pending database migrations and report what ran
  healthcheck    exit 0 if the service on the configured HOST:PORT is ready (GET /readyz), else 1
  backup <file>  write a consistent copy of the database to a new file, even while it serves (SQLite;
                 on PostgreSQL it names pg_dump instead)
  transfer --from <DATABASE_URL> --to <DATABASE_URL>
                 copy every user and token into an empty database (SQLite to PostgreSQL or back), in one
                 transaction: interrupted, the target stays empty and the command can simply run again
  --help, -h     show this help
  --version, -v  show the version

Settings come from the environment (and .env); the README gives their defaults and meanings:
${wrap(SETTING_NAMES.join(', '), 100)}
`

async function runMigrate(config: Config): Promise<number> {
  if (config.postgres) {
    const { openMigratedPostgres } = await import('./db/pg/open')
    const database = await openMigratedPostgres({ ...config, postgres: config.postgres })
    await database.close()
    console.log(database.applied.length ? `applied ${database.applied.length} migration(s): ${database.applied.join(', ')}` : 'database is up to date')
    return 0
  }
  const database = openDatabase(config.databasePath, { synchronous: config.sqliteSynchronous })
  try {
    const { applied, collisions } = migrate(database.db)
    console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date')
    for (const collision of collisions) console.log(describeCollision(collision))
  } finally {
    database.close()
  }
  return 0
}

function runBackup(config: Config, target: string): number {
  // pg_dump is the tool for a consistent copy of a live PostgreSQL database, with restore and retention madblog
  // would only imitate; the managed offerings have their own snapshots.
  if (config.postgres) {
    process.stderr.write(
      `madblog: backup copies a SQLite file; on PostgreSQL use pg_dump, e.g.\n  pg_dump --format=custom --file=${target} "$DATABASE_URL"\nand pg_restore to restore it\n`,
    )
    return 2
  }
  const backup = backupDatabase(config.databasePath, target)
  const size = backup.bytes < 1024 * 1024 ? `${Math.ceil(backup.bytes / 1024)} KiB` : `${(backup.bytes / 1024 / 1024).toFixed(1)} MiB`
  console.log(`wrote ${backup.path}: ${backup.users} users, ${backup.tokens} tokens, ${size}, integrity ok`)
  return 0
}

async function runTransfer(args: string[]): Promise<number> {
  const from = args[args.indexOf('--from') + 1]
  const to = args[args.indexOf('--to') + 1]
  if (args.length !== 4 || !args.includes('--from') || !args.includes('--to') || !from || !to || from.startsWith('--') || to.startsWith('--')) {
    process.stderr.write(`madblog: transfer needs --from <DATABASE_URL> --to <DATABASE_URL>\n\n${USAGE}`)
    return 2
  }
  // On a terminal, one line redrawn as rows are copied; in a log, only the result.
  const { describeProgress, transfer } = await import('./db/transfer')
  const show = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[2K${line}`) : () => {}
  const totals = await transfer(from, to, (state) => show(describeProgress(state)))
  show('')
  console.log(`copied ${totals.users} users and ${totals.tokens} tokens; counts checked`)
  return 0
}

async function runHealthcheck(config: Config): Promise<number> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}${READY_PATH}`
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) })
    return response.ok ? 0 : 1
  } catch {
    return 1
  }
}

async function main(args: string[]): Promise<number> {
  const [command = 'serve', ...rest] = args
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  if (command === '--version' || command === '-v') {
    console.log(VERSION)
    return 0
  }
  if (command === 'backup' && rest.length !== 1) {
    process.stderr.write(`madblog: backup needs exactly one argument, the file to write\n\n${USAGE}`)
    return 2
  }
  if (command === 'transfer') return runTransfer(rest)
  if ((command !== 'backup' && rest.length > 0) || !['serve', 'migrate', 'healthcheck', 'backup'].includes(command)) {
    process.stderr.write(`madblog: unknown command or option "${args.join(' ')}"\n\n${USAGE}`)
    return 2
  }
  const config = loadConfig()
  const logger = createLogger(config.logLevel, config.logFormat)
  for (const warning of settingWarnings()) logger.warn(warning)
  if (command === 'migrate') return await runMigrate(config)
  if (command === 'healthcheck') return runHealthcheck(config)
  if (command === 'backup') return runBackup(config, rest[0]!)
  await serve(config)
  return -1 // keeps running until a signal
}

try {
  const code = await main(process.argv.slice(2))
  if (code >= 0) process.exit(code)
} catch (error) {
  // Known start-up failures are one clear line; anything else is a bug worth its stack.
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseOpenError ||
    error instanceof MigrationError ||
    error instanceof BackupError ||
    error instanceof TransferError ||
    error instanceof ListenError
  ) {
    console.error(`madblog: ${error.message}`)
    process.exit(1)
  }
  throw error
}
