import type { SQL } from 'bun'
import { eq, getTableName } from 'drizzle-orm'
import type { RateLimitSettings } from '../../config'
import { emailKey, usernameKey } from '../../services/identity'
import { limitWindows } from '../../services/rate-limits'
import { holder } from '../user-positions'
import { USER_BUCKET_LEVELS } from '../schema'
import { takenFieldOfPostgres, type Store, type UserRowChanges } from '../store'
import type { User } from '../users'
import { postgresLedger } from './attempts'
import { storable } from './text'
import type { PgDb } from './client'
import { tokens, users } from './schema'

type UserRow = { id: string | number; username: string; email: string }
// bigint ids come back as text; every id fits in a double (they are at most 15 digits).
const user = (row: UserRow | undefined): User | undefined => row && { id: Number(row.id), username: row.username, email: row.email }
const columns = { id: users.id, username: users.username, email: users.email }

function identity(changes: UserRowChanges) {
  return {
    ...changes,
    ...(changes.username === undefined ? {} : { usernameKey: usernameKey(changes.username) }),
    ...(changes.email === undefined ? {} : { emailKey: emailKey(changes.email) }),
  }
}

/**
 * The PostgreSQL store. Reads are single statements on Bun.sql (prepared by the driver); write units are
 * transactions whose check-then-write takes the row lock it needs, since READ COMMITTED does not serialise
 * writers the way SQLite's immediate transactions do.
 */
export function postgresStore(db: PgDb, sql: SQL, rateLimits: RateLimitSettings): Store {
  const one = async <T>(rows: Promise<T[]>) => (await rows)[0]
  return {
    user: async (id) => user(await one(sql`SELECT id, username, email FROM users WHERE id = ${id}`)),
    passwordHash: async (id) => (await one<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE id = ${id}`))?.password_hash,
    idByUsername: async (username) =>
      user(await one(sql`SELECT id, username, email FROM users WHERE username_key = ${usernameKey(username)}`))?.id,
    idByEmail: async (email) => user(await one(sql`SELECT id, username, email FROM users WHERE email_key = ${emailKey(email)}`))?.id,
    credentials: async (username) => {
      if (!storable(username)) return undefined
      const row = await one<{ id: string; password_hash: string }>(sql`
        SELECT id, password_hash FROM users
        WHERE username_key = ${usernameKey(username)} OR (username_key IS NULL AND username = ${username})
        ORDER BY username = ${username} DESC LIMIT 1`)
      return row && { id: Number(row.id), passwordHash: row.password_hash }
    },
    // src/db/user-positions.ts's descent through the kept counts, its reads in one snapshot.
    page: (offset, limit) =>
      sql.begin('isolation level repeatable read read only', async (tx) => {
        const buckets = async (rows: Promise<{ bucket: string; users: number }[]>) =>
          (await rows).map((row) => ({ bucket: Number(row.bucket), users: row.users }))
        const top = await buckets(tx`SELECT bucket, users FROM user_counts_by_4m_ids ORDER BY bucket`)
        let found = holder(top, offset)
        const [, ...narrower] = USER_BUCKET_LEVELS
        for (let level = 0, parentShift: number = USER_BUCKET_LEVELS[0].shift; found && level < narrower.length; level++) {
          const { table, shift } = narrower[level]!
          const ratio = 2 ** (parentShift - shift)
          parentShift = shift
          const name = getTableName(table)
          found = holder(await buckets(tx.unsafe(`SELECT bucket, users FROM ${name} WHERE bucket >= $1 AND bucket < $2 ORDER BY bucket`, [found.bucket * ratio, (found.bucket + 1) * ratio])), found.rest)
        }
        const bottom = 2 ** USER_BUCKET_LEVELS.at(-1)!.shift
        const items = found
          ? (await tx`SELECT id, username, email FROM users WHERE id >= ${found.bucket * bottom} ORDER BY id LIMIT ${limit} OFFSET ${found.rest}`).map(user)
          : []
        return { items, total: top.reduce((sum, bucket) => sum + bucket.users, 0) }
      }),
    count: async () => (await one<{ n: number }>(sql`SELECT coalesce(sum(users), 0)::int AS n FROM user_counts_by_4m_ids`))!.n,
    between: async (after, before, limit, fromEnd) =>
      (fromEnd
        ? await sql`SELECT id, username, email FROM users WHERE id > ${after} AND id < ${before} ORDER BY id DESC LIMIT ${limit}`
        : await sql`SELECT id, username, email FROM users WHERE id > ${after} AND id < ${before} ORDER BY id LIMIT ${limit}`
      ).map(user),
    anyAtOrBelow: async (id) => (await sql`SELECT 1 FROM users WHERE id <= ${id} LIMIT 1`).length > 0,
    anyAtOrAbove: async (id) => (await sql`SELECT 1 FROM users WHERE id >= ${id} LIMIT 1`).length > 0,
    tokenOwner: async (hash, now) => {
      const row = await one<UserRow & { token_hash: string }>(sql`
        SELECT u.id, u.username, u.email, t.token_hash FROM tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ${hash} AND t.expires_at > ${new Date(now)}`)
      // Bun.sql has returned rows to the wrong query under concurrency (fixed by 1.4.5): a row for another token
      // must never sign a request in (test/db/bun-sql.test.ts).
      if (row && row.token_hash !== hash) throw new Error('PostgreSQL driver returned a row for another query')
      return user(row)
    },

    insertUser: async (values) =>
      (await db.insert(users).values({ ...values, usernameKey: usernameKey(values.username), emailKey: emailKey(values.email) }).returning(columns))[0]!,
    insertUserWithId: async (values) =>
      (
        await db
          .insert(users)
          .overridingSystemValue()
          .values({ ...values, usernameKey: usernameKey(values.username), emailKey: emailKey(values.email) })
          .returning(columns)
      )[0]!,
    resetPassword: (id, passwordHash) =>
      db.transaction(async (tx) => {
        // The row lock first, as a password change takes it: a login issuing a token waits, then sees the new hash.
        const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, id)).for('update')
        if (!row) return undefined
        await tx.delete(tokens).where(eq(tokens.userId, id))
        return (await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id)).returning(columns))[0]
      }),
    revokeAll: async (userId) => (await sql`DELETE FROM tokens WHERE user_id = ${userId} RETURNING id`).length,
    updateUser: (id, changes, proven) =>
      db.transaction(async (tx) => {
        if (proven !== undefined) {
          // The row lock holds off a login issuing a token for the old password until this change commits.
          const [row] = await tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, id)).for('update')
          if (!row) return 'gone'
          if (row.passwordHash !== proven) return 'stale'
          await tx.delete(tokens).where(eq(tokens.userId, id))
        }
        const [updated] = await tx
          .update(users)
          .set({ ...identity(changes), updatedAt: new Date() })
          .where(eq(users.id, id))
          .returning(columns)
        return updated ?? 'gone'
      }),
    removeUser: async (id) => (await sql`DELETE FROM users WHERE id = ${id} RETURNING id`).length > 0,
    issueToken: (userId, proven, hash, expiresAt, upgraded) =>
      db.transaction(async (tx) => {
        // FOR SHARE: a password change (FOR UPDATE) waits for this token to commit, then deletes it with the rest;
        // replacing an imported hash takes the row for update instead.
        const locked = tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId))
        const [row] = await (upgraded ? locked.for('update') : locked.for('share'))
        if (row?.passwordHash !== proven) return false
        if (upgraded) await tx.update(users).set({ passwordHash: upgraded, updatedAt: new Date() }).where(eq(users.id, userId))
        await tx.insert(tokens).values({ userId, tokenHash: hash, expiresAt })
        return true
      }),
    revokeToken: async (hash) => void (await sql`DELETE FROM tokens WHERE token_hash = ${hash}`),
    // Idempotent: every replica may run it at once.
    pruneTokens: async (now) => (await sql`DELETE FROM tokens WHERE expires_at <= ${new Date(now)} RETURNING id`).length,
    takenField: takenFieldOfPostgres,
    attempts: postgresLedger(sql, limitWindows(rateLimits)),
  }
}
