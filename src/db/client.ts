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

export interface DatabaseOptions {
  /** FULL unless the operator traded durability for write speed (SQLITE_SYNCHRONOUS). */
  synchronous?: SynchronousMode
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

/** Opens (creating if needed) the SQLite file with the pragmas every connection must have. */
export function openDatabase(path: string, { synchronous = 'FULL' }: DatabaseOptions = {}): DatabaseHandle {
  if (path !== ':memory:') createFolder(dirname(path), path)
  let sqlite: Database
  try {
    sqlite = new Database(path, { create: true, strict: true })
    // WAL lets readers run beside the writer; FULL keeps every acknowledged write across a power cut.
    if (path !== ':memory:') sqlite.run('PRAGMA journal_mode = WAL')
    sqlite.run(`PRAGMA synchronous = ${synchronous}`)
    sqlite.run('PRAGMA foreign_keys = ON')
    // A REPLACE deletes the rows it displaces without firing delete triggers unless this is on: the counts
    // the triggers keep (drizzle/0002_user_counts_triggers.sql) would drift.
    sqlite.run('PRAGMA recursive_triggers = ON')
    sqlite.run('PRAGMA busy_timeout = 5000')
  } catch (cause) {
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
