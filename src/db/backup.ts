import { Database } from 'bun:sqlite'
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { dataTables } from './migrate'

export class BackupError extends Error {}

export interface Backup {
  path: string
  bytes: number
  users: number
  tokens: number
}

/** Flushes a file (or a folder's entry list) to the disk: SQLite does not sync what VACUUM INTO writes. */
function fsyncPath(path: string) {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Where a backup went and what it holds, for the line that reports it. */
export const backupSummary = (backup: Backup) => `${backup.path} (${backup.users} users, ${backup.tokens} tokens)`

/** Whether any table but the migrations' bookkeeping holds a row: only then is a change worth a backup first. */
export function holdsData(sqlite: Database): boolean {
  return dataTables(sqlite).some((name) => sqlite.query(`SELECT 1 FROM "${name.replaceAll('"', '""')}" LIMIT 1`).get() !== null)
}

/**
 * A consistent copy of the live database at `target`, taken with VACUUM INTO: one read transaction, so under WAL
 * it sees a single committed state while the server keeps writing. The copy is written under a temporary name,
 * checked, synced, then linked to `target`, so that name only ever holds a complete backup, and a file that
 * appeared there meanwhile is never overwritten.
 */
export function backupDatabase(source: string, target: string): Backup {
  if (source === ':memory:') throw new BackupError('DATABASE_URL is :memory:: there is no database file to back up')
  if (!existsSync(source)) throw new BackupError(`no database at ${resolve(source)} (check DATABASE_URL)`)
  let live: Database
  try {
    live = new Database(source, { readwrite: true, create: false, strict: true })
  } catch (cause) {
    throw new BackupError(`cannot open ${resolve(source)}: ${(cause as Error).message}`)
  }
  try {
    live.run('PRAGMA busy_timeout = 5000')
    return writeBackup(live, target)
  } finally {
    live.close()
  }
}

/**
 * The backup taken before a migration changes `databasePath` through `live`: named after the database, the time
 * and `reason`, in `folder` (relative to the database's own folder).
 */
export function backupBeforeChange(live: Database, databasePath: string, folder: string, reason: string): Backup {
  const stamp = new Date().toISOString().replace(/[-:]/g, '')
  const name = `${basename(databasePath).replace(/\.(db|sqlite3?)$/, '')}-${stamp}-before-${reason}.db`
  return writeBackup(live, join(resolve(dirname(databasePath), folder), name))
}

/** The copy itself, through an open connection to the live database. */
function writeBackup(live: Database, target: string): Backup {
  const path = resolve(target)
  if (existsSync(path)) throw new BackupError(`${path} already exists; choose a new file name (a backup never overwrites)`)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (cause) {
    throw new BackupError(`cannot create the folder for ${path}: ${(cause as Error).message}`)
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.partial`)
  try {
    live.run('VACUUM INTO ?', [temporary])
    const copy = new Database(temporary, { readonly: true, strict: true })
    let counts: { users: number; tokens: number }
    try {
      const check = copy.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all()
      if (check.length !== 1 || check[0]!.integrity_check !== 'ok')
        throw new BackupError(`the copy failed its integrity check: ${check.map((row) => row.integrity_check).join('; ')}`)
      // A database from before the first migration (or after the last down) has neither table.
      const rows = (table: string) =>
        dataTables(copy).includes(table) ? copy.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()!.n : 0
      counts = { users: rows('users'), tokens: rows('tokens') }
    } finally {
      copy.close()
    }
    fsyncPath(temporary)
    linkSync(temporary, path)
    fsyncPath(dirname(path))
    return { path, bytes: statSync(path).size, ...counts }
  } catch (cause) {
    if (cause instanceof BackupError) throw cause
    const error = cause as NodeJS.ErrnoException
    if (error.code === 'EEXIST') throw new BackupError(`${path} already exists; choose a new file name (a backup never overwrites)`)
    throw new BackupError(`backup to ${path} failed: ${error.message}`)
  } finally {
    rmSync(temporary, { force: true })
  }
}
