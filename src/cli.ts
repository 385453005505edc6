#!/usr/bin/env bun
import { VERSION } from './app'
import { CommandError, UsageError } from './cli/command'
import { progress, type Progress } from './cli/progress'
import { ConfigError, SETTING_NAMES, loadConfig, settingWarnings, type Config } from './config'
import { BackupError, backupDatabase } from './db/backup'
import { DatabaseOpenError } from './db/client'
import { MigrationError } from './db/migrate'
import { TransferError } from './db/transfer-error'
import { READY_PATH } from './http/readiness'
import { createLogger } from './log'
import { ListenError, serve } from './server'

/** Breaks a line at spaces so that none is longer than `width`. */
const wrap = (text: string, width: number) => text.replace(new RegExp(`(.{1,${width}})( |$)`, 'g'), '  $1\n').trimEnd()

const USAGE = `madblog ${VERSION}: the madblog account and token service

Usage: madblog [command]

Commands:
  serve                  migrate the database (backed up first if it holds data), then serve HTTP (the default)
  migrate [--to <tag>] [--quiet]
                         apply pending migrations (or those up to <tag>) and report what ran; a database holding
                         data is backed up first
  migrate down [--to <tag>] [--force] [--quiet] [--no-backup]
                         revert the latest migration, or every one applied after <tag>, after a backup; one that
                         would drop data users wrote is refused without --force, naming what it would drop; on
                         PostgreSQL madblog takes no backup: run pg_dump first, then pass --no-backup
  migrate status [--json]
                         list the migrations: applied (and when) or pending
  users list [--page N] [--json]
                         the accounts, 20 a page
  users show <id|username> [--json]
  users create <username> <email> [--password-stdin] [--json]
                         register an account; the password is asked for without echo, or read from stdin
  users set-password <username> [--password-stdin]
                         set a new password (no old one needed); ends that user's sessions
  users delete <username> [--yes]
                         delete an account and its sessions (asks first unless --yes)
  tokens revoke <username>
                         end all of a user's sessions
  tokens prune           delete expired tokens
  import-flask <tutorweb.db> [--dry-run] [--quiet]
                         import the Flask tutorial's users, keeping their ids and werkzeug password hashes
  console                an interactive prompt, like flask shell, with db, schema and services in scope
  healthcheck            exit 0 if the service on the configured HOST:PORT is ready (GET /readyz), else 1
  backup <file> [--quiet]
                         write a consistent copy of the database to a new file, even while it serves (SQLite;
                         on PostgreSQL it names pg_dump instead)
  transfer --from <DATABASE_URL> --to <DATABASE_URL>
                         copy every user and token into an empty database (SQLite to PostgreSQL or back), in one
                         transaction: interrupted, the target stays empty and the command can simply run again
  --help, -h             show this help
  --version, -v          show the version

Every command works on SQLite and PostgreSQL alike (backup aside). users, tokens, import-flask and console work beside
a running server on the same database; migrate and migrate down refuse while anything else has it open (on
PostgreSQL, migrate waits on the replicas' advisory lock instead, and migrate down refuses while another madblog is
connected). BACKUP_DIR says where their backups go.

Settings come from the environment (and .env); the README gives their defaults and meanings:
${wrap(SETTING_NAMES.join(', '), 100)}
`

async function runBackup(config: Config, target: string, quiet: boolean): Promise<number> {
  let line: Progress | undefined
  const backup = await backupDatabase(config.databasePath, target, (pages, total) =>
    (line ??= progress('backing up', total, 'pages', quiet)).update(pages),
  ).finally(() => line?.finish())
  const size = backup.bytes < 1024 * 1024 ? `${Math.ceil(backup.bytes / 1024)} KiB` : `${(backup.bytes / 1024 / 1024).toFixed(1)} MiB`
  console.log(`wrote ${backup.path}: ${backup.users} users, ${backup.tokens} tokens, ${size}, integrity ok`)
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

type Command = (config: Config, args: string[]) => number | Promise<number>

/**
 * Commands with arguments of their own: each parses them, throwing UsageError when they do not fit. Each is
 * loaded when it runs, so `serve` carries none of them (the console's REPL and streams alone weigh some MiB).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  migrate: async () => (await import('./cli/migrate')).migrateCommand,
  users: async () => (await import('./cli/users')).usersCommand,
  tokens: async () => (await import('./cli/tokens')).tokensCommand,
  'import-flask': async () => (await import('./cli/import-flask')).importFlaskCommand,
  console: async () => (await import('./cli/console')).consoleCommand,
  transfer: async () => (await import('./cli/transfer')).transferCommand,
}

// pg_dump is the tool for a consistent copy of a live PostgreSQL database, with restore and retention madblog
// would only imitate; the managed offerings have their own snapshots.
function backupOnPostgres(target: string | undefined): number {
  process.stderr.write(
    `madblog: backup copies a SQLite file; on PostgreSQL use pg_dump, e.g.\n  pg_dump --format=custom --file=${target} "$DATABASE_URL"\nand pg_restore to restore it\n`,
  )
  return 2
}

function usageError(message: string): number {
  process.stderr.write(`madblog: ${message}\n\n${USAGE}`)
  return 2
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
  const backupArgs = rest.filter((arg) => arg !== '--quiet')
  if (command === 'backup' && backupArgs.length !== 1) return usageError('backup needs exactly one argument, the file to write')
  const load = COMMANDS[command]
  if (!load && (rest.length > 0 && command !== 'backup' || !['serve', 'healthcheck', 'backup'].includes(command)))
    return usageError(`unknown command or option "${args.join(' ')}"`)
  const config = loadConfig()
  const logger = createLogger(config.logLevel, config.logFormat)
  for (const warning of settingWarnings()) logger.warn(warning)
  if (config.postgres && command === 'backup') return backupOnPostgres(backupArgs[0])
  if (load) {
    try {
      return await (await load())(config, rest)
    } catch (error) {
      if (error instanceof UsageError) return usageError(`${command}: ${error.message}`)
      throw error
    }
  }
  if (command === 'healthcheck') return runHealthcheck(config)
  if (command === 'backup') return runBackup(config, backupArgs[0]!, rest.includes('--quiet'))
  await serve(config)
  return -1 // keeps running until a signal
}

// Known failures are one clear line; anything else is a bug worth its stack.
const EXPECTED_FAILURES = [ConfigError, DatabaseOpenError, MigrationError, BackupError, ListenError, CommandError, TransferError]

try {
  const code = await main(process.argv.slice(2))
  if (code >= 0) process.exit(code)
} catch (error) {
  if (EXPECTED_FAILURES.some((kind) => error instanceof kind)) {
    console.error(`madblog: ${(error as Error).message}`)
    process.exit(1)
  }
  throw error
}
