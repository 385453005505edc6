import { and, eq, gt, lte, sql } from 'drizzle-orm'
import type { Db } from './client'
import { rowReader } from './rows'
import { tokens, users } from './schema'
import { USER_COLUMNS, type User } from './users'

/** Every query on the tokens table, prepared once per connection. */
export function tokenQueries(db: Db) {
  // Every authenticated request runs this first. A scalar subquery rather than a join, which SQLite runs several
  // times faster here; no LIMIT, since the unique token_hash index gives one row at most and Drizzle's bound
  // LIMIT costs more than the lookup itself (bench/).
  const liveOwner = db
    .select({ id: tokens.userId })
    .from(tokens)
    .where(and(eq(tokens.tokenHash, sql.placeholder('hash')), gt(tokens.expiresAt, sql.placeholder('now'))))
  const ownerOfLive = rowReader<User, [string, number]>(
    db,
    db.select(USER_COLUMNS).from(users).where(eq(users.id, liveOwner)),
    ['hash', 'now'],
  )
  const insert = db
    .insert(tokens)
    .values({ userId: sql.placeholder('userId'), tokenHash: sql.placeholder('hash'), expiresAt: sql.placeholder('expiresAt') })
    .prepare()
  const removeByHash = db.delete(tokens).where(eq(tokens.tokenHash, sql.placeholder('hash'))).prepare()
  const removeForUser = db.delete(tokens).where(eq(tokens.userId, sql.placeholder('userId'))).returning({ id: tokens.id }).prepare()
  const removeExpired = db.delete(tokens).where(lte(tokens.expiresAt, sql.placeholder('now'))).returning({ id: tokens.id }).prepare()

  return {
    /** The owner of the token with this digest, while it is live at `now` (ms). */
    ownerOfLive,
    insert: (values: { userId: number; hash: string; expiresAt: Date }) => void insert.run(values),
    removeByHash: (hash: string) => void removeByHash.run({ hash }),
    /** Ends every session of the user; how many there were. */
    removeForUser: (userId: number) => removeForUser.all({ userId }).length,
    removeExpired: (now: number) => removeExpired.all({ now }).length,
  }
}

export type TokenQueries = ReturnType<typeof tokenQueries>
