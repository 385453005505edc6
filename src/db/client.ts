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

/** Opens (creating if needed) the SQLite file with the pragmas every connection must have. */
export function openDatabase(path: string, { synchronous = 'FULL' }: DatabaseOptions = {}): DatabaseHandle {
  let sqlite: Database
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    sqlite = new Database(path, { create: true, strict: true })
    // WAL lets readers run beside the writer; FULL keeps every acknowledged write across a power cut.
    if (path !== ':memory:') sqlite.run('PRAGMA journal_mode = WAL')
    sqlite.run(`PRAGMA synchronous = ${synchronous}`)
    sqlite.run('PRAGMA foreign_keys = ON')
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
      sqlite.close()
    },
  }
}
