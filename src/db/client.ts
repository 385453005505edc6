import { Database } from 'bun:sqlite'
import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import type { SynchronousMode } from '../config'
import { isPostgresUnavailable } from './pg/unavailable'
import * as schema from './schema'

export type Db = ReturnType<typeof drizzle<typeof schema>>

export interface DatabaseHandle {
  db: Db
  sqlite: Database
  /** Whether the file at the path is no longer the one open (deleted, or replaced); never for `:memory:`. */
  replaced(): boolean
  close(): void
}

export class DatabaseOpenError extends Error {}

/** Another process (a running server, an admin command) has the file open, so it cannot be held alone. */
export class DatabaseBusyError extends DatabaseOpenError {}

/** The file at DATABASE_URL is no longer the one open (deleted, or replaced): what is written now is lost. */
export class DatabaseReplacedError extends Error {}

/** Seconds a client is told to wait when the database cannot take a write. */
export const STORAGE_RETRY_AFTER_SECONDS = 30
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/

/**
 * The disk or the file failed, not the request: a full disk, an I/O error, a file made read-only or replaced;
 * or PostgreSQL cannot be reached or cannot take this now. Both faces answer it 503 with Retry-After (GraphQL:
 * SERVICE_UNAVAILABLE), not 500.
 */
export function isStorageFailure(error: unknown): boolean {
  if (isPostgresUnavailable(error)) return true
  for (let inner = error, depth = 0; inner instanceof Error && depth < 4; inner = inner.cause, depth++) {
    const code = (inner as { code?: unknown }).code
    if (inner instanceof DatabaseReplacedError || (typeof code === 'string' && STORAGE_CODES.test(code))) return true
  }
  return false
}

const fileIdentity = (path: string) => {
  const stats = statSync(path, { throwIfNoEntry: false })
  return stats ? `${stats.dev}:${stats.ino}` : 'missing'
}

/**
 * Every write goes through a transaction; each ends by checking that the file at `path` is still the one open
 * (device and inode: one stat, a microsecond), so no write is acknowledged into a file already deleted or
 * replaced, which a restart would never see again. Throwing rolls the transaction back.
 */
function guardWrites(db: Db, path: string, replaced: () => boolean) {
  const transaction = db.transaction.bind(db)
  db.transaction = ((write, config) =>
    transaction((tx) => {
      const result = write(tx)
      if (replaced())
        throw new DatabaseReplacedError(`the database file "${path}" was deleted or replaced while open: restart madblog`)
      return result
    }, config)) as Db['transaction']
}

export interface DatabaseOptions {
  /** FULL unless the operator traded durability for write speed (SQLITE_SYNCHRONOUS). */
  synchronous?: SynchronousMode
  /**
   * Hold the file alone for as long as it is open (SQLite's EXCLUSIVE locking mode), or fail at once with
   * DatabaseBusyError if any other connection has it: for schema changes, which no open connection must see midway.
   */
  exclusive?: boolean
}

/** Node's own message names the failing call (`EEXIST: file already exists, mkdir '…'`); an operator needs the cause. */
function createFolder(folder: string, path: string) {
  try {
    mkdirSync(folder, { recursive: true })
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? `a file stands where its folder "${folder}" should be`
        : `its folder "${folder}" cannot be created (${code ?? String(cause)})`
    throw new DatabaseOpenError(`cannot open database "${path}": ${reason}`)
  }
}

/**
 * Set before the first access, EXCLUSIVE locking mode keeps every lock it takes; the empty exclusive transaction
 * takes them all now. Every other connection holds a shared lock while open (WAL mode included), so this fails
 * exactly when someone else has the file open.
 */
function holdAlone(sqlite: Database, path: string) {
  sqlite.run('PRAGMA busy_timeout = 0')
  sqlite.run('PRAGMA locking_mode = EXCLUSIVE')
  try {
    sqlite.run('BEGIN EXCLUSIVE')
  } catch (cause) {
    sqlite.close()
    if ((cause as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new DatabaseBusyError(`"${path}" is open in another process (a running madblog server?): stop it first, this changes the schema under it`)
    throw cause
  }
  sqlite.run('COMMIT')
}

/**
 * SQLite silently opens a file it may not write (mode 444, another owner, a read-only mount) read-only, and
 * the first write would fail: every login a 500. A write that is rolled back finds out at start instead.
 */
function checkWritable(sqlite: Database) {
  try {
    sqlite.run('BEGIN IMMEDIATE')
    sqlite.run('CREATE TABLE __madblog_write_check (x)')
  } catch (cause) {
    throw new Error(`it cannot be written (${cause instanceof Error ? cause.message : String(cause)})`)
  } finally {
    if (sqlite.inTransaction) sqlite.run('ROLLBACK')
  }
}

/** Runs `work` in one transaction that takes the write lock at BEGIN: no other write lands between its reads and writes. */
export const immediately = <T>(db: Db, work: () => T): T => db.transaction(() => work(), { behavior: 'immediate' })

/** Opens (creating if needed) the SQLite file with the pragmas every connection must have. */
export function openDatabase(path: string, { synchronous = 'FULL', exclusive = false }: DatabaseOptions = {}): DatabaseHandle {
  if (path !== ':memory:') createFolder(dirname(path), path)
  let sqlite: Database
  try {
    sqlite = new Database(path, { create: true, strict: true })
    if (exclusive) holdAlone(sqlite, path)
    // WAL lets readers run beside the writer; FULL keeps every acknowledged write across a power cut.
    if (path !== ':memory:') sqlite.run('PRAGMA journal_mode = WAL')
    sqlite.run(`PRAGMA synchronous = ${synchronous}`)
    sqlite.run('PRAGMA foreign_keys = ON')
    // A REPLACE deletes the rows it displaces without firing delete triggers unless this is on: the counts
    // the triggers keep (drizzle/0003_user_counts_triggers.sql) would drift.
    sqlite.run('PRAGMA recursive_triggers = ON')
    sqlite.run('PRAGMA busy_timeout = 5000')
    if (path !== ':memory:') checkWritable(sqlite)
  } catch (cause) {
    if (cause instanceof DatabaseBusyError) throw cause
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new DatabaseOpenError(`cannot open database "${path}": ${reason}`)
  }
  const db = drizzle({ client: sqlite, schema })
  const opened = path === ':memory:' ? undefined : fileIdentity(path)
  const replaced = () => opened !== undefined && fileIdentity(path) !== opened
  if (path !== ':memory:') guardWrites(db, path, replaced)
  return {
    db,
    sqlite,
    replaced,
    close() {
      // Folding the WAL back leaves one self-contained file behind.
      if (path !== ':memory:') sqlite.run('PRAGMA wal_checkpoint(TRUNCATE)')
      // close(true) finalizes the statements Drizzle and the services hold; plain close() would leave the
      // connection open until they are garbage collected, and the -wal and -shm files with it.
      sqlite.close(true)
    },
  }
}
