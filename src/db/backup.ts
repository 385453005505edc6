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
function holdsData(sqlite: Database): boolean {
  return dataTables(sqlite).some((name) => sqlite.query(`SELECT 1 FROM "${name.replaceAll('"', '""')}" LIMIT 1`).get() !== null)
}

/**
 * A consistent copy of the live database at `target`, taken with VACUUM INTO: one read transaction, so under WAL
 * it sees a single committed state while the server keeps writing. The copy is written under a temporary name,
 * checked, synced, then linked to `target`, so that name only ever holds a complete backup, and a file that
 * appeared there meanwhile is never overwritten. VACUUM INTO runs on a worker thread, so that `progress` can be
 * told how many of the database's pages the copy holds so far.
 */
export async function backupDatabase(source: string, target: string, progress?: (pages: number, total: number) => void): Promise<Backup> {
  if (source === ':memory:') throw new BackupError('DATABASE_URL is :memory:: there is no database file to back up')
  if (!existsSync(source)) throw new BackupError(`no database at ${resolve(source)} (check DATABASE_URL)`)
  const { path, temporary } = prepare(target)
  try {
    const { pageSize, pages } = pageCount(source)
    const tick = () => progress?.(Math.min(pages, Math.floor((existsSync(temporary) ? statSync(temporary).size : 0) / pageSize)), pages)
    await vacuumOnWorker(source, temporary, tick)
    progress?.(pages, pages)
    return install(temporary, path)
  } catch (cause) {
    throw failure(cause, path)
  } finally {
    rmSync(temporary, { force: true })
  }
}

/** How big the live database is, in pages: what a progress line counts the copy against. */
function pageCount(source: string) {
  const live = new Database(source, { readonly: true, strict: true })
  try {
    const read = (pragma: string) => Object.values(live.query(`PRAGMA ${pragma}`).get() as object)[0] as number
    return { pageSize: read('page_size'), pages: read('page_count') }
  } finally {
    live.close()
  }
}

const PROGRESS_MS = 100
// Compiled, every module's import.meta.url is the binary's own, at the root the entry points share (src/).
const WORKER = import.meta.url.includes('/$bunfs/') ? new URL('./db/backup-worker.ts', import.meta.url) : new URL('./backup-worker.ts', import.meta.url)

function vacuumOnWorker(source: string, temporary: string, tick: () => void): Promise<void> {
  const worker = new Worker(WORKER.href)
  const timer = setInterval(tick, PROGRESS_MS)
  return new Promise<void>((done, fail) => {
    worker.onmessage = ({ data }: MessageEvent<{ error?: string }>) => (data.error === undefined ? done() : fail(new Error(data.error)))
    worker.onerror = (event) => fail(new Error(event.message))
    worker.postMessage({ source, temporary })
  }).finally(() => {
    clearInterval(timer)
    void worker.terminate()
  })
}

/**
 * The backup taken before a migration changes `databasePath` through `live` (which may hold the file alone, so the
 * copy is made on that connection), if the database holds data: named after the database, the time and `reason`,
 * in `folder` (relative to the database's own folder).
 */
export function backupBeforeChange(live: Database, databasePath: string, folder: string, reason: string): Backup | undefined {
  if (databasePath === ':memory:' || !holdsData(live)) return undefined
  const stamp = new Date().toISOString().replace(/[-:]/g, '')
  const name = `${basename(databasePath).replace(/\.(db|sqlite3?)$/, '')}-${stamp}-before-${reason}.db`
  const { path, temporary } = prepare(join(resolve(dirname(databasePath), folder), name))
  try {
    live.run('VACUUM INTO ?', [temporary])
    return install(temporary, path)
  } catch (cause) {
    throw failure(cause, path)
  } finally {
    rmSync(temporary, { force: true })
  }
}

/** The backup's final path, free and with its folder made, and the temporary name beside it. */
function prepare(target: string): { path: string; temporary: string } {
  const path = resolve(target)
  if (existsSync(path)) throw new BackupError(`${path} already exists; choose a new file name (a backup never overwrites)`)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (cause) {
    throw new BackupError(`cannot create the folder for ${path}: ${(cause as Error).message}`)
  }
  return { path, temporary: join(dirname(path), `.${basename(path)}.${process.pid}.partial`) }
}

function failure(cause: unknown, path: string): BackupError {
  if (cause instanceof BackupError) return cause
  const error = cause as NodeJS.ErrnoException
  if (error.code === 'EEXIST') return new BackupError(`${path} already exists; choose a new file name (a backup never overwrites)`)
  return new BackupError(`backup to ${path} failed: ${error.message}`)
}

/** A finished copy checked, synced and linked to its name. */
function install(temporary: string, path: string): Backup {
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
}
