import type { SQL } from 'bun'
import { getTableName } from 'drizzle-orm'
import { loadConfig } from '../config'
import { openDatabase } from './client'
import { migrate } from './migrate'
import { openMigratedPostgres } from './pg/open'
import { AUTHOR_POST_BUCKET_LEVELS, POST_BUCKET_LEVELS, USER_BUCKET_LEVELS } from './schema'
import { TransferError } from './transfer-error'

export { TransferError }

/**
 * Every column of the tables madblog keeps, timestamps in ms: what moves between engines unchanged, in an order
 * that inserts owners before what they own. The kept counts (posts_count, the per-id-range count tables) are not
 * copied: the target builds them, SQLite's triggers as the rows go in, PostgreSQL once at the end (COUNT_BUILDS).
 */
const TABLES = {
  users: ['id', 'username', 'email', 'password_hash', 'username_key', 'email_key', 'name', 'location', 'about_me', 'last_seen', 'created_at', 'updated_at'],
  tokens: ['id', 'user_id', 'token_hash', 'expires_at', 'created_at'],
  posts: ['id', 'title', 'summary', 'body', 'author_id', 'timestamp', 'updated_at', 'views'],
} as const
type Table = keyof typeof TABLES
const TABLE_NAMES = Object.keys(TABLES) as Table[]
const TIMES = new Set(['created_at', 'updated_at', 'expires_at', 'last_seen', 'timestamp'])
// PostgreSQL hands bigint columns back as strings.
const NUMBERS = new Set(['id', 'user_id', 'author_id', 'views'])
type Row = Record<string, unknown>
/** A PostgreSQL value as SQLite stores it: times in ms, bigints as numbers, NULL as NULL. */
const portable = (column: string, value: unknown) =>
  value === null ? null : TIMES.has(column) ? Math.round(Number(value)) : NUMBERS.has(column) ? Number(value) : value

const BATCH = 1000

// The tables whose rows the count triggers count.
const COUNTED = ['users', 'posts'] as const
/**
 * The kept counts of every copied row, built in one pass per count table, as the migrations build them. On
 * PostgreSQL the count triggers stay off while a transfer copies: each would update the same few count rows once
 * per copied row, inside one transaction where none of their old versions can be pruned, and the copy grew with
 * the square of its rows (20,000 users and posts in 17 s, 100,000 in 432 s).
 */
const COUNT_BUILDS = [
  ...USER_BUCKET_LEVELS.map(({ table, shift }) => `INSERT INTO ${getTableName(table)} (bucket, users) SELECT id >> ${shift}, count(*) FROM users GROUP BY 1`),
  ...POST_BUCKET_LEVELS.map(({ table, shift }) => `INSERT INTO ${getTableName(table)} (bucket, posts) SELECT id >> ${shift}, count(*) FROM posts GROUP BY 1`),
  ...AUTHOR_POST_BUCKET_LEVELS.map(
    ({ table, shift }) =>
      `INSERT INTO ${getTableName(table)} (author_id, bucket, posts) SELECT author_id, id >> ${shift}, count(*) FROM posts GROUP BY 1, 2`,
  ),
  'UPDATE users SET posts_count = written.posts FROM (SELECT author_id, count(*) AS posts FROM posts GROUP BY 1) written WHERE users.id = written.author_id',
]


/** One end of a transfer: the rows it holds, and (as the target) one transaction that takes them all or none. */
interface End {
  count(table: Table): Promise<number>
  /** Rows with ids above `afterId`, in id order. */
  rows(table: Table, afterId: number, limit: number): Promise<Row[]>
  begin(): Promise<void>
  insert(table: Table, rows: Row[]): Promise<void>
  /** Builds what the target keeps counted, moves id sequences past the copied ids, then commits. */
  commit(): Promise<void>
  rollback(): Promise<void>
  close(): Promise<void>
}

function sqliteEnd(url: string): End {
  const config = loadConfig({ DATABASE_URL: url })
  const database = openDatabase(config.databasePath)
  migrate(database.db)
  const { sqlite } = database
  return {
    count: async (table) => sqlite.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()!.n,
    rows: async (table, afterId, limit) =>
      sqlite.query<Row, [number, number]>(`SELECT ${TABLES[table].join(', ')} FROM ${table} WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit),
    begin: async () => void sqlite.run('BEGIN IMMEDIATE'),
    async insert(table, rows) {
      const columns = TABLES[table]
      const insert = sqlite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      for (const row of rows) insert.run(...(columns.map((column) => row[column]) as never[]))
      insert.finalize()
    },
    // AUTOINCREMENT's sqlite_sequence follows the largest id inserted by itself.
    commit: async () => void sqlite.run('COMMIT'),
    rollback: async () => void (sqlite.inTransaction && sqlite.run('ROLLBACK')),
    close: async () => database.close(),
  }
}

async function postgresEnd(url: string): Promise<End> {
  const config = loadConfig({ DATABASE_URL: url })
  const database = await openMigratedPostgres({ ...config, postgres: config.postgres! })
  let tx: Awaited<ReturnType<SQL['reserve']>> | undefined
  const select = (table: Table) =>
    TABLES[table].map((column) => (TIMES.has(column) ? `(extract(epoch from ${column}) * 1000)::float8 AS ${column}` : column)).join(', ')
  return {
    // Inside the transfer its own connection, which sees the rows it has not committed yet.
    count: async (table) => Number((await (tx ?? database.sql).unsafe(`SELECT count(*)::int AS n FROM ${table}`))[0].n),
    rows: async (table, afterId, limit) =>
      (await database.sql.unsafe(`SELECT ${select(table)} FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit])).map(
        (row: Row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, portable(key, value)])),
      ),
    async begin() {
      tx = await database.sql.reserve()
      await tx.unsafe('BEGIN')
      // Off until the commit (COUNT_BUILDS); a rollback turns them on again with everything else.
      for (const table of COUNTED) await tx.unsafe(`ALTER TABLE ${table} DISABLE TRIGGER USER`)
    },
    async insert(table, rows) {
      const columns = TABLES[table]
      const values = rows.map((row) =>
        columns.map((column) => (TIMES.has(column) && row[column] !== null ? new Date(Number(row[column])) : row[column])),
      )
      const placeholders = values.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
      await tx!.unsafe(`INSERT INTO ${table} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${placeholders.join(', ')}`, values.flat())
    },
    async commit() {
      for (const build of COUNT_BUILDS) await tx!.unsafe(build)
      for (const table of COUNTED) await tx!.unsafe(`ALTER TABLE ${table} ENABLE TRIGGER USER`)
      for (const table of TABLE_NAMES)
        await tx!.unsafe(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`)
      await tx!.unsafe('COMMIT')
      tx!.release()
      tx = undefined
    },
    async rollback() {
      if (!tx) return
      await tx.unsafe('ROLLBACK').catch(() => {})
      tx.release()
      tx = undefined
    },
    close: () => database.close(),
  }
}

const openEnd = (url: string) => (/^postgres(ql)?:\/\//i.test(url) ? postgresEnd(url) : Promise.resolve(sqliteEnd(url)))

export interface Progress {
  copied: number
  total: number
  elapsedMs: number
}

/** Rows per table, in TABLES' order. */
async function countAll(end: End): Promise<Record<Table, number>> {
  const counts = {} as Record<Table, number>
  for (const table of TABLE_NAMES) counts[table] = await end.count(table)
  return counts
}

/**
 * Copies every user, token and post from one database to an empty one (SQLite to PostgreSQL or back), ids, hashes,
 * expiry and views included, in one transaction on the target: interrupted, it leaves the target as empty as it
 * found it, and can be run again from the start. Sequences are moved past the copied ids; counts are checked at
 * the end.
 */
export async function transfer(from: string, to: string, progress: (state: Progress) => void = () => {}) {
  const source = await openEnd(from)
  let target: End | undefined
  try {
    target = await openEnd(to)
    const held = Object.values(await countAll(target)).reduce((sum, n) => sum + n, 0)
    if (held > 0) throw new TransferError(`the target already holds ${held} rows: transfer only fills an empty database`)
    const totals = await countAll(source)
    const total = Object.values(totals).reduce((sum, n) => sum + n, 0)
    const started = Date.now()
    let copied = 0
    await target.begin()
    try {
      for (const table of TABLE_NAMES) {
        for (let afterId = 0; ; ) {
          const rows = await source.rows(table, afterId, BATCH)
          if (rows.length === 0) break
          await target.insert(table, rows)
          afterId = rows.at(-1)!.id as number
          copied += rows.length
          progress({ copied, total, elapsedMs: Date.now() - started })
        }
        const count = await target.count(table)
        if (count !== totals[table]) throw new TransferError(`${table}: ${totals[table]} in the source, ${count} copied`)
      }
      await target.commit()
    } catch (error) {
      await target.rollback()
      throw error
    }
    return totals
  } finally {
    await target?.close()
    await source.close()
  }
}

/** "12,000 of 40,000 rows, 8,100 rows/s, 3 s left": the line a terminal shows while a transfer runs. */
export function describeProgress({ copied, total, elapsedMs }: Progress): string {
  const rate = elapsedMs > 0 ? (copied / elapsedMs) * 1000 : 0
  const left = rate > 0 ? Math.ceil((total - copied) / rate) : 0
  return `${copied.toLocaleString('en')} of ${total.toLocaleString('en')} rows, ${Math.round(rate).toLocaleString('en')} rows/s, ${left} s left`
}
