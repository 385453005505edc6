import { and, asc, gte, lt, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { rowReader, rowsReader } from '../db/rows'
import { rowCounts, USER_BUCKET_LEVELS, users } from '../db/schema'
import type { User } from './users'

type Bucket = { bucket: number; users: number }

/**
 * Users by position in id order without walking the rows before it, from the counts the database keeps
 * (src/db/schema.ts, drizzle/0002_user_counts_triggers.sql). To find position k, descend the bucket levels: walk
 * the buckets inside the one chosen above (at the widest level, all of them) in order, subtracting each count from
 * k, until the bucket that holds position k; at the bottom, skip what is left of k inside its 1,024 ids. Each step
 * reads at most 64 buckets and skips at most 1,023 rows however many users there are (the widest level gains a
 * row per 4,194,304 ids), and gives exactly ORDER BY id LIMIT/OFFSET's rows, deletions included. The reads share
 * one transaction: another process committing between them would otherwise shift the page by its rows.
 */
export function createUserPositions(db: Db) {
  const total = rowReader<{ rows: number }, []>(
    db,
    db.select({ rows: rowCounts.rows }).from(rowCounts).where(sql`${rowCounts.tableName} = 'users'`),
    [],
  )
  const levels = USER_BUCKET_LEVELS.map(({ table, shift }, depth) => {
    const columns = { bucket: table.bucket, users: table.users }
    const from = sql.placeholder('from')
    const to = sql.placeholder('to')
    return {
      shift,
      // Children of one bucket above lie in [from, to): this level's bucket numbers are that bucket's times the ratio.
      ratio: depth === 0 ? 0 : 2 ** (USER_BUCKET_LEVELS[depth - 1]!.shift - shift),
      all: rowsReader<Bucket, []>(db, db.select(columns).from(table).orderBy(asc(table.bucket)), []),
      within: rowsReader<Bucket, [number, number]>(
        db,
        db.select(columns).from(table).where(and(gte(table.bucket, from), lt(table.bucket, to))).orderBy(asc(table.bucket)),
        ['from', 'to'],
      ),
    }
  })
  const fromId = rowsReader<User, [number, number, number]>(
    db,
    db
      .select({ id: users.id, username: users.username, email: users.email })
      .from(users)
      .where(gte(users.id, sql.placeholder('from')))
      .orderBy(asc(users.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('skip')),
    ['from', 'limit', 'skip'],
  )

  /** The first id of the bottom bucket holding position `offset`, and how many of its users come before it. */
  function locate(offset: number): { from: number; skip: number } | undefined {
    let rest = offset
    let chosen: number | undefined
    for (const level of levels) {
      const buckets = chosen === undefined ? level.all() : level.within(chosen * level.ratio, (chosen + 1) * level.ratio)
      chosen = undefined
      for (const { bucket, users } of buckets) {
        if (rest < users) {
          chosen = bucket
          break
        }
        rest -= users
      }
      if (chosen === undefined) return undefined
    }
    return { from: chosen! * 2 ** levels.at(-1)!.shift, skip: rest }
  }

  const countAll = () => total()?.rows ?? 0

  /** `limit` users from position `offset` on, and the total they were counted in, as of one snapshot. */
  const page = db.$client.transaction((offset: number, limit: number): { items: User[]; total: number } => {
    const all = countAll()
    const start = offset < all ? locate(offset) : undefined
    return { items: start ? fromId(start.from, limit, start.skip) : [], total: all }
  })

  return { count: countAll, page: (offset: number, limit: number) => page(offset, limit) }
}
