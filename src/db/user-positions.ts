import { and, asc, gte, lt, sql } from 'drizzle-orm'
import type { Db } from './client'
import { rowReader, rowsReader } from './rows'
import { USER_BUCKET_LEVELS, users } from './schema'
import type { User } from './users'

type Bucket = { bucket: number; users: number }

/** The bucket holding position `rest` among `buckets`, and how many of its users come before that position (both engines). */
export function holder(buckets: Bucket[], rest: number): { bucket: number; rest: number } | undefined {
  for (const { bucket, users } of buckets) {
    if (rest < users) return { bucket, rest }
    rest -= users
  }
  return undefined
}

/**
 * Users by position in id order without walking the rows before it, from the counts the database keeps
 * (src/db/schema.ts, drizzle/0003_user_counts_triggers.sql). To find position k, descend the bucket levels: walk
 * the buckets inside the one chosen above (at the widest level, all of them) in order, subtracting each count from
 * k, until the bucket that holds position k; at the bottom, skip what is left of k inside its 1,024 ids. Each step
 * reads at most 64 buckets and skips at most 1,023 rows however many users there are (the widest level gains a
 * row per 4,194,304 ids), and gives exactly ORDER BY id LIMIT/OFFSET's rows, deletions included. The reads share
 * one transaction: another process committing between them would otherwise shift the page by its rows.
 */
export function createUserPositions(db: Db) {
  const [widest, ...narrower] = USER_BUCKET_LEVELS
  // Aliased: rowReader reads the bare statement's column names, and Drizzle names an expression by its SQL.
  const sumOfWidest = sql<number>`coalesce(sum(${widest.table.users}), 0)`.as('users')
  const total = rowReader<{ users: number }, []>(db, db.select({ users: sumOfWidest }).from(widest.table), [])
  const columns = (table: typeof widest.table) => ({ bucket: table.bucket, users: table.users })
  const everyWidest = rowsReader<Bucket, []>(db, db.select(columns(widest.table)).from(widest.table).orderBy(asc(widest.table.bucket)), [])
  let parentShift: number = widest.shift
  const levels = narrower.map(({ table, shift }) => {
    // The children of bucket b one level up are this level's buckets [b * ratio, (b + 1) * ratio).
    const ratio = 2 ** (parentShift - shift)
    parentShift = shift
    const within = rowsReader<Bucket, [number, number]>(
      db,
      db
        .select(columns(table))
        .from(table)
        .where(and(gte(table.bucket, sql.placeholder('from')), lt(table.bucket, sql.placeholder('to'))))
        .orderBy(asc(table.bucket)),
      ['from', 'to'],
    )
    return (parent: number) => within(parent * ratio, (parent + 1) * ratio)
  })
  const bottomWidth = 2 ** parentShift
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


  /** `limit` users from position `offset` on, and the total they were counted in, as of one snapshot. */
  const page = db.$client.transaction((offset: number, limit: number): { items: User[]; total: number } => {
    const top = everyWidest()
    const count = top.reduce((sum, bucket) => sum + bucket.users, 0)
    let found = holder(top, offset)
    for (const children of levels) found = found && holder(children(found.bucket), found.rest)
    return { items: found ? fromId(found.bucket * bottomWidth, limit, found.rest) : [], total: count }
  })

  return {
    count: () => total()!.users,
    page: (offset: number, limit: number) => page(offset, limit),
  }
}
