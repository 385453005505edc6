import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm'
import type { Db } from './client'
import { rowReader, rowsReader } from './rows'
import type { BucketLevels, CountBuckets } from './schema'

export type Bucket = { bucket: number; rows: number }

/** The bucket holding position `rest` among `buckets`, and how many of its rows come before that position (both engines). */
export function holder(buckets: Bucket[], rest: number): { bucket: number; rest: number } | undefined {
  for (const { bucket, rows } of buckets) {
    if (rest < rows) return { bucket, rest }
    rest -= rows
  }
  return undefined
}

/**
 * Where a page starts: ids from `edge` on (up, in id order) or below it (down, newest first), `skip` rows in; of
 * the author `scope` names when the levels count one author's rows.
 */
export type RowsFrom<Row, Scope extends number[] = []> = (edge: number, limit: number, skip: number, ...scope: Scope) => Row[]

/**
 * Rows by position in id order (`up`) or newest first (`down`) without walking the rows before it, from the counts
 * the database keeps (src/db/schema.ts, the count triggers' migrations). To find position k, descend the bucket
 * levels: walk the buckets inside the one chosen above (at the widest level, all of them) in the list's order,
 * subtracting each count from k, until the bucket that holds position k; at the bottom, skip what is left of k
 * inside its 1,024 ids. Each step reads at most 64 buckets and skips at most 1,023 rows however many rows there are
 * (the widest level gains a row per 4,194,304 ids), and gives exactly ORDER BY id LIMIT/OFFSET's rows, deletions
 * included. The reads share one transaction: another process committing between them would otherwise shift the
 * page by its rows. Levels kept per author (their tables have an `author` column) take the author as `scope`.
 */
export function createPositions<Row, Scope extends number[] = []>(
  db: Db,
  levels: BucketLevels,
  direction: 'up' | 'down',
  rowsFrom: RowsFrom<Row, Scope>,
) {
  const [widest, ...narrower] = levels as [BucketLevels[number], ...BucketLevels]
  const order = direction === 'up' ? asc : desc
  const scoped = 'author' in widest.table
  const ofScope = (table: CountBuckets) => ('author' in table ? eq(table.author, sql.placeholder('scope')) : undefined)
  const scopeName = scoped ? ['scope'] : []
  // Aliased: rowReader reads the bare statement's column names, and Drizzle names an expression by its SQL.
  const sumOfWidest = sql<number>`coalesce(sum(${widest.table.rows}), 0)`.as('rows')
  const total = rowReader<{ rows: number }, Scope>(
    db,
    db.select({ rows: sumOfWidest }).from(widest.table).where(ofScope(widest.table)),
    scopeName as never,
  )
  const columns = (table: CountBuckets) => ({ bucket: table.bucket, rows: sql<number>`${table.rows}`.as('rows') })
  const everyWidest = rowsReader<Bucket, Scope>(
    db,
    db.select(columns(widest.table)).from(widest.table).where(ofScope(widest.table)).orderBy(order(widest.table.bucket)),
    scopeName as never,
  )
  let parentShift: number = widest.shift
  const steps = narrower.map(({ table, shift }) => {
    // The children of bucket b one level up are this level's buckets [b * ratio, (b + 1) * ratio).
    const ratio = 2 ** (parentShift - shift)
    parentShift = shift
    const within = rowsReader<Bucket, [...Scope, number, number]>(
      db,
      db
        .select(columns(table))
        .from(table)
        .where(and(ofScope(table), gte(table.bucket, sql.placeholder('from')), lt(table.bucket, sql.placeholder('to'))))
        .orderBy(order(table.bucket)),
      [...scopeName, 'from', 'to'] as never,
    )
    return (parent: number, scope: Scope) => within(...scope, parent * ratio, (parent + 1) * ratio)
  })
  const bottomWidth = 2 ** parentShift
  const edgeOf = (bucket: number) => (direction === 'up' ? bucket : bucket + 1) * bottomWidth

  /** `limit` rows from position `offset` on, and the total they were counted in, as of one snapshot. */
  const page = db.$client.transaction((offset: number, limit: number, scope: Scope): { items: Row[]; total: number } => {
    const top = everyWidest(...scope)
    const count = top.reduce((sum, bucket) => sum + bucket.rows, 0)
    let found = holder(top, offset)
    for (const children of steps) found = found && holder(children(found.bucket, scope), found.rest)
    return { items: found ? rowsFrom(edgeOf(found.bucket), limit, found.rest, ...scope) : [], total: count }
  })

  return {
    count: (...scope: Scope) => total(...scope)!.rows,
    page: (offset: number, limit: number, ...scope: Scope) => page(offset, limit, scope),
  }
}
