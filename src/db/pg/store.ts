import type { SQL } from 'bun'
import { eq, getTableName } from 'drizzle-orm'
import type { RateLimitSettings } from '../../config'
import { emailKey, usernameKey } from '../../services/identity'
import { limitWindows } from '../../services/rate-limits'
import { holder, type Bucket } from '../positions'
import type { Post } from '../posts'
import { AUTHOR_POST_BUCKET_LEVELS, POST_BUCKET_LEVELS, USER_BUCKET_LEVELS, type BucketLevels } from '../schema'
import { takenFieldOfPostgres, type PostRefusal, type Store, type UserRowChanges } from '../store'
import type { User } from '../users'
import { postgresLedger } from './attempts'
import { storable } from './text'
import type { PgDb } from './client'
import { posts, tokens, users } from './schema'

type UserRow = {
  id: string | number
  username: string
  email: string
  name: string | null
  location: string | null
  about_me: string | null
  created_at: Date
  last_seen: Date | null
  posts_count: number
}
// bigint ids come back as text; every id fits in a double (they are at most 15 digits).
const user = (row: UserRow | undefined): User | undefined =>
  row && {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    name: row.name,
    location: row.location,
    aboutMe: row.about_me,
    memberSince: row.created_at.getTime(),
    lastSeen: row.last_seen?.getTime() ?? null,
    postsCount: row.posts_count,
  }
const USER = 'id, username, email, name, location, about_me, created_at, last_seen, posts_count'
const USER_RETURNING = {
  id: users.id,
  username: users.username,
  email: users.email,
  name: users.name,
  location: users.location,
  about_me: users.aboutMe,
  created_at: users.createdAt,
  last_seen: users.lastSeen,
  posts_count: users.postsCount,
}
const U_USER = 'u.id, u.username, u.email, u.name, u.location, u.about_me, u.created_at, u.last_seen, u.posts_count'

type PostRow = { id: string | number; title: string; summary: string | null; body: string; author_id: string | number; timestamp: Date; updated_at: Date; views: string | number }
const post = (row: PostRow | undefined): Post | undefined =>
  row && {
    id: Number(row.id),
    title: row.title,
    summary: row.summary,
    body: row.body,
    authorId: Number(row.author_id),
    timestamp: row.timestamp.getTime(),
    updatedAt: row.updated_at.getTime(),
    views: Number(row.views),
  }
const POST_RETURNING = {
  id: posts.id,
  title: posts.title,
  summary: posts.summary,
  body: posts.body,
  author_id: posts.authorId,
  timestamp: posts.timestamp,
  updated_at: posts.updatedAt,
  views: posts.views,
}
const POST = 'id, title, summary, body, author_id, timestamp, updated_at, views'

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
/**
 * src/db/positions.ts's descent through the kept counts (the same tables, kept by PostgreSQL's triggers), its
 * reads in one repeatable-read snapshot so that a write committing between them cannot shift the page.
 */
function positions<Row, Scope extends number[] = []>(
  sql: SQL,
  levels: BucketLevels,
  counted: 'users' | 'posts',
  direction: 'up' | 'down',
  rowsFrom: (tx: SQL, edge: number, limit: number, skip: number, ...scope: Scope) => Promise<Row[]>,
) {
  const order = direction === 'up' ? 'ASC' : 'DESC'
  const [widest, ...narrower] = levels.map(({ table, shift }) => ({ name: getTableName(table), shift }))
  // Levels kept per author (an `author` column) read the author's rows only, the author bound after the others.
  const scoped = 'author' in levels[0]!.table
  const ofScope = (bound: number) => (scoped ? `${bound > 1 ? 'AND' : 'WHERE'} author_id = $${bound}` : '')
  const buckets = async (rows: Promise<{ bucket: string; rows: number }[]>): Promise<Bucket[]> =>
    (await rows).map((row) => ({ bucket: Number(row.bucket), rows: row.rows }))
  return {
    count: async (...scope: Scope) =>
      (await sql.unsafe(`SELECT coalesce(sum(${counted}), 0)::int AS n FROM ${widest!.name} ${ofScope(1)}`, scope))[0].n as number,
    page: (offset: number, limit: number, ...scope: Scope): Promise<{ items: Row[]; total: number }> =>
      sql.begin('isolation level repeatable read read only', async (tx) => {
        const top = await buckets(tx.unsafe(`SELECT bucket, ${counted} AS rows FROM ${widest!.name} ${ofScope(1)} ORDER BY bucket ${order}`, scope))
        let found = holder(top, offset)
        let parentShift = widest!.shift
        for (const { name, shift } of narrower) {
          if (!found) break
          const ratio = 2 ** (parentShift - shift)
          parentShift = shift
          const children = `SELECT bucket, ${counted} AS rows FROM ${name} WHERE bucket >= $1 AND bucket < $2 ${ofScope(3)} ORDER BY bucket ${order}`
          found = holder(await buckets(tx.unsafe(children, [found.bucket * ratio, (found.bucket + 1) * ratio, ...scope])), found.rest)
        }
        const edge = found && (direction === 'up' ? found.bucket : found.bucket + 1) * 2 ** parentShift
        const items = found ? await rowsFrom(tx, edge!, limit, found.rest, ...scope) : []
        return { items, total: top.reduce((sum, bucket) => sum + bucket.rows, 0) }
      }),
  }
}

const postRefusal = (authorId: number | undefined, actorId: number): PostRefusal | undefined =>
  authorId === undefined ? 'gone' : Number(authorId) === actorId ? undefined : 'forbidden'

export function postgresStore(db: PgDb, sql: SQL, rateLimits: RateLimitSettings): Store {
  const one = async <T>(rows: Promise<T[]>) => (await rows)[0]
  const id = (row: { id: string | number } | undefined) => row && Number(row.id)
  const userPositions = positions<User>(sql, USER_BUCKET_LEVELS, 'users', 'up', async (tx, edge, limit, skip) =>
    (await tx`SELECT ${tx.unsafe(USER)} FROM users WHERE id >= ${edge} ORDER BY id LIMIT ${limit} OFFSET ${skip}`).map(user),
  )
  const postPositions = positions<Post>(sql, POST_BUCKET_LEVELS, 'posts', 'down', async (tx, edge, limit, skip) =>
    (await tx`SELECT ${tx.unsafe(POST)} FROM posts WHERE id < ${edge} ORDER BY id DESC LIMIT ${limit} OFFSET ${skip}`).map(post),
  )
  const authorPostPositions = positions<Post, [author: number]>(sql, AUTHOR_POST_BUCKET_LEVELS, 'posts', 'down', async (tx, edge, limit, skip, author) =>
    (await tx`SELECT ${tx.unsafe(POST)} FROM posts WHERE author_id = ${author} AND id < ${edge} ORDER BY id DESC LIMIT ${limit} OFFSET ${skip}`).map(post),
  )
  return {
    user: async (id) => user(await one(sql`SELECT ${sql.unsafe(USER)} FROM users WHERE id = ${id}`)),
    passwordHash: async (id) => (await one<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE id = ${id}`))?.password_hash,
    idByUsername: async (username) => id(await one(sql`SELECT id FROM users WHERE username_key = ${usernameKey(username)}`)),
    idByEmail: async (email) => id(await one(sql`SELECT id FROM users WHERE email_key = ${emailKey(email)}`)),
    credentials: async (username) => {
      if (!storable(username)) return undefined
      const row = await one<{ id: string; password_hash: string }>(sql`
        SELECT id, password_hash FROM users
        WHERE username_key = ${usernameKey(username)} OR (username_key IS NULL AND username = ${username})
        ORDER BY username = ${username} DESC LIMIT 1`)
      return row && { id: Number(row.id), passwordHash: row.password_hash }
    },
    page: userPositions.page,
    count: () => userPositions.count(),
    users: async (ids) => (await sql`SELECT ${sql.unsafe(USER)} FROM users WHERE id = ANY(${sql.array(ids, 'INT8')})`).map(user),
    between: async (after, before, limit, fromEnd) =>
      (fromEnd
        ? await sql`SELECT ${sql.unsafe(USER)} FROM users WHERE id > ${after} AND id < ${before} ORDER BY id DESC LIMIT ${limit}`
        : await sql`SELECT ${sql.unsafe(USER)} FROM users WHERE id > ${after} AND id < ${before} ORDER BY id LIMIT ${limit}`
      ).map(user),
    anyAtOrBelow: async (id) => (await sql`SELECT 1 FROM users WHERE id <= ${id} LIMIT 1`).length > 0,
    anyAtOrAbove: async (id) => (await sql`SELECT 1 FROM users WHERE id >= ${id} LIMIT 1`).length > 0,
    tokenOwner: async (hash, now) => {
      const row = await one<UserRow & { token_hash: string }>(sql`
        SELECT ${sql.unsafe(U_USER)}, t.token_hash FROM tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ${hash} AND t.expires_at > ${new Date(now)}`)
      // Bun.sql has returned rows to the wrong query under concurrency (fixed by 1.4.5): a row for another token
      // must never sign a request in (test/db/bun-sql.test.ts).
      if (row && row.token_hash !== hash) throw new Error('PostgreSQL driver returned a row for another query')
      return user(row)
    },

    insertUser: async ({ username, email, passwordHash }) =>
      user(
        await one(sql`
          INSERT INTO users (username, username_key, email, email_key, password_hash, last_seen)
          VALUES (${username}, ${usernameKey(username)}, ${email}, ${emailKey(email)}, ${passwordHash}, now())
          RETURNING ${sql.unsafe(USER)}`),
      )!,
    insertUserWithId: async (values) =>
      user(
        (
          await db
            .insert(users)
            .overridingSystemValue()
            .values({ ...values, usernameKey: usernameKey(values.username), emailKey: emailKey(values.email), lastSeen: new Date() })
            .returning(USER_RETURNING)
        )[0],
      )!,
    resetPassword: (id, passwordHash) =>
      db.transaction(async (tx) => {
        // The row lock first, as a password change takes it: a login issuing a token waits, then sees the new hash.
        const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, id)).for('update')
        if (!row) return undefined
        await tx.delete(tokens).where(eq(tokens.userId, id))
        return user((await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id)).returning(USER_RETURNING))[0])
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
          .returning(USER_RETURNING)
        return user(updated) ?? 'gone'
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

    post: async (id) => post(await one(sql`SELECT ${sql.unsafe(POST)} FROM posts WHERE id = ${id}`)),
    neighbours: async (id) => {
      const [newer, older] = await Promise.all([
        one<{ id: string; title: string }>(sql`SELECT id, title FROM posts WHERE id > ${id} ORDER BY id LIMIT 1`),
        one<{ id: string; title: string }>(sql`SELECT id, title FROM posts WHERE id < ${id} ORDER BY id DESC LIMIT 1`),
      ])
      const title = (row?: { id: string; title: string }) => row && { id: Number(row.id), title: row.title }
      return { newer: title(newer), older: title(older) }
    },
    postPage: postPositions.page,
    postCount: () => postPositions.count(),
    authorPosts: async (authorId, offset, limit) => (await authorPostPositions.page(offset, limit, authorId)).items,
    postsBetween: async (author, above, below, limit, fromOldest) => {
      const ofAuthor = author === undefined ? sql`` : sql`AND author_id = ${author}`
      return (
        fromOldest
          ? await sql`SELECT ${sql.unsafe(POST)} FROM posts WHERE id > ${above} AND id < ${below} ${ofAuthor} ORDER BY id LIMIT ${limit}`
          : await sql`SELECT ${sql.unsafe(POST)} FROM posts WHERE id > ${above} AND id < ${below} ${ofAuthor} ORDER BY id DESC LIMIT ${limit}`
      ).map(post)
    },
    anyPostBeyond: async (author, id, side) => {
      const ofAuthor = author === undefined ? sql`` : sql`AND author_id = ${author}`
      const rows = side === 'below' ? await sql`SELECT 1 FROM posts WHERE id <= ${id} ${ofAuthor} LIMIT 1` : await sql`SELECT 1 FROM posts WHERE id >= ${id} ${ofAuthor} LIMIT 1`
      return rows.length > 0
    },
    insertPost: async ({ title, summary, body, authorId }) =>
      post(
        await one(sql`
          INSERT INTO posts (title, summary, body, author_id) VALUES (${title}, ${summary}, ${body}, ${authorId})
          RETURNING ${sql.unsafe(POST)}`),
      )!,
    updatePost: (id, actorId, changes) =>
      db.transaction(async (tx) => {
        // The row lock holds off a concurrent delete between the author check and the write.
        const [row] = await tx.select({ authorId: posts.authorId }).from(posts).where(eq(posts.id, id)).for('update')
        const refused = postRefusal(row?.authorId, actorId)
        if (refused) return refused
        const [updated] = await tx.update(posts).set({ ...changes, updatedAt: new Date() }).where(eq(posts.id, id)).returning(POST_RETURNING)
        return post(updated as PostRow | undefined) ?? 'gone'
      }),
    removePost: (id, actorId) =>
      db.transaction(async (tx) => {
        const [row] = await tx.select({ authorId: posts.authorId }).from(posts).where(eq(posts.id, id)).for('update')
        const refused = postRefusal(row?.authorId, actorId)
        if (refused) return refused
        await tx.delete(posts).where(eq(posts.id, id))
        return true
      }),
    // Each replica adds its own counts (views = views + n), so every replica's batches sum exactly; the ids in
    // ascending order, so two replicas' batches lock rows in the same order and never deadlock.
    applyDeferred: async ({ views, seen }) => {
      if (views.size === 0 && seen.size === 0) return
      const ascending = <V>(map: ReadonlyMap<number, V>) => [...map].sort(([a], [b]) => a - b)
      const viewed = ascending(views)
      const seenAt = ascending(seen)
      await sql.begin(async (tx) => {
        if (viewed.length)
          await tx`
            UPDATE posts SET views = posts.views + batch.views
            FROM unnest(${sql.array(viewed.map(([id]) => id), 'INT8')}::bigint[], ${sql.array(viewed.map(([, n]) => n), 'INT8')}::bigint[]) AS batch(id, views)
            WHERE posts.id = batch.id`
        if (seenAt.length)
          await tx`
            UPDATE users SET last_seen = greatest(users.last_seen, to_timestamp(batch.at / 1000.0))
            FROM unnest(${sql.array(seenAt.map(([id]) => id), 'INT8')}::bigint[], ${sql.array(seenAt.map(([, at]) => at), 'FLOAT8')}::float8[]) AS batch(id, at)
            WHERE users.id = batch.id`
      })
    },
    takenField: takenFieldOfPostgres,
    attempts: postgresLedger(sql, limitWindows(rateLimits)),
  }
}
