import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import type { SynchronousMode } from '../config'
import * as schema from './schema'

export type Db = ReturnType<typeof drizzle<typeof schema>>

export interface DatabaseHandle {
  db: Db
  sqlite: Database
  close(): void
}

export class DatabaseOpenError extends Error {}

/** Another process (a running server, an admin command) has the file open, so it cannot be held alone. */
export class DatabaseBusyError extends DatabaseOpenError {}

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
    sqlite.run('PRAGMA busy_timeout = 5000')
  } catch (cause) {
    if (cause instanceof DatabaseBusyError) throw cause
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new DatabaseOpenError(`cannot open database "${path}": ${reason}`)
  }
  const db = drizzle({ client: sqlite, schema })
  return {
    db,
    sqlite,
    close() {
      // Folding the WAL back leaves one self-contained file behind.
      if (path !== ':memory:') sqlite.run('PRAGMA wal_checkpoint(TRUNCATE)')
      // close(true) finalizes the statements Drizzle and the services hold; plain close() would leave the
      // connection open until they are garbage collected, and the -wal and -shm files with it.
      sqlite.close(true)
    },
  }
}
