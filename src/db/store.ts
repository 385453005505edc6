import type { AttemptLedger } from '../services/rate-limits'
import { immediately, type Db } from './client'
import { emailKey, usernameKey } from '../services/identity'
import { createPositions } from './positions'
import { authorPostPageFrom, postPageFrom, postQueries, type NewPostRow, type Post, type PostRowChanges, type PostTitle } from './posts'
import { AUTHOR_POST_BUCKET_LEVELS, POST_BUCKET_LEVELS } from './schema'
import { tokenQueries } from './tokens'
import { userQueries, type ProfileChanges, type User } from './users'

export type Awaitable<T> = T | Promise<T>

/**
 * `next(value)` at once when the store answered synchronously (SQLite), once its promise settles when it did not
 * (PostgreSQL): the reads every request makes first stay free of promises on SQLite (bench/).
 */
export const andThen = <T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> =>
  value instanceof Promise ? value.then(next) : next(value)

export type NewUserRow = { username: string; email: string; passwordHash: string }
export type UserRowChanges = { username?: string; email?: string; passwordHash?: string } & ProfileChanges

/** What a batch of deferred writes carries (src/services/deferred-writes.ts): views to add, and when users were seen. */
export interface DeferredWrites {
  views: ReadonlyMap<number, number>
  seen: ReadonlyMap<number, number>
}

/** A post write's outcome when it is not the post: no such post, or someone else's. */
export type PostRefusal = 'gone' | 'forbidden'

/**
 * What the services need of a database, one implementation per engine: its reads, and its write units, each one
 * transaction holding the locks its check needs (SQLite: an immediate transaction; PostgreSQL: row locks).
 * A unique-index violation escapes a write unit; `takenField` names the field it is about.
 */
export interface Store {
  user(id: number): Awaitable<User | undefined>
  passwordHash(id: number): Awaitable<string | undefined>
  idByUsername(username: string): Awaitable<number | undefined>
  idByEmail(email: string): Awaitable<number | undefined>
  /** The account a login names, by its identity, with the hash to verify against. */
  credentials(username: string): Awaitable<{ id: number; passwordHash: string } | undefined>
  /** `limit` users from position `offset` in id order, and the total they were counted in, as of one snapshot. */
  page(offset: number, limit: number): Awaitable<{ items: User[]; total: number }>
  /** The number of users, from the counts the database keeps (not a scan). */
  count(): Awaitable<number>
  /** The users of these ids that exist, in no particular order: one statement for a page's authors. */
  users(ids: number[]): Awaitable<User[]>
  /** Up to `limit` users with ids strictly between the bounds, from the low end or (`fromEnd`) the high end. */
  between(after: number, before: number, limit: number, fromEnd: boolean): Awaitable<User[]>
  anyAtOrBelow(id: number): Awaitable<boolean>
  anyAtOrAbove(id: number): Awaitable<boolean>
  /** The owner of the token with this digest, while it is live at `now` (ms). */
  tokenOwner(hash: string, now: number): Awaitable<User | undefined>

  insertUser(values: NewUserRow): Awaitable<User>
  /** An account moved in from another system, keeping its id. */
  insertUserWithId(values: NewUserRow & { id: number }): Awaitable<User>
  /** An administrator's reset: the new hash, and every token of the user gone, in one unit; undefined: no such user. */
  resetPassword(id: number, passwordHash: string): Awaitable<User | undefined>
  /** Ends every session of one user; how many tokens that was. */
  revokeAll(userId: number): Awaitable<number>
  /**
   * Applies `changes`. With `proven`, only while the stored password hash is still that one ('stale' otherwise),
   * and every token of the user goes in the same unit. 'gone': no such user.
   */
  updateUser(id: number, changes: UserRowChanges, proven?: string): Awaitable<User | 'gone' | 'stale'>
  /** False when there was no such user. */
  removeUser(id: number): Awaitable<boolean>
  /**
   * Stores a token for `userId` only while its password hash is still `proven`, the one just verified; with
   * `upgraded`, replaces that hash (an imported werkzeug one) in the same unit.
   */
  issueToken(userId: number, proven: string, hash: string, expiresAt: Date, upgraded?: string): Awaitable<boolean>
  revokeToken(hash: string): Awaitable<void>
  pruneTokens(now: number): Awaitable<number>

  post(id: number): Awaitable<Post | undefined>
  /** The posts just newer and just older than `id`, whether or not it exists. */
  neighbours(id: number): Awaitable<{ newer?: PostTitle; older?: PostTitle }>
  /** `limit` posts from position `offset`, newest first, and the total, as of one snapshot. */
  postPage(offset: number, limit: number): Awaitable<{ items: Post[]; total: number }>
  postCount(): Awaitable<number>
  /** An author's posts from position `offset`, newest first, found by their kept counts (their total is the author's `postsCount`). */
  authorPosts(authorId: number, offset: number, limit: number): Awaitable<Post[]>
  /** Up to `limit` posts (of `author`, if given) with ids strictly between the bounds, newest or oldest first. */
  postsBetween(author: number | undefined, above: number, below: number, limit: number, fromOldest: boolean): Awaitable<Post[]>
  /** Whether any post (of `author`, if given) has an id at or below, or at or above, `id`. */
  anyPostBeyond(author: number | undefined, id: number, side: 'below' | 'above'): Awaitable<boolean>
  insertPost(values: NewPostRow): Awaitable<Post>
  /** Changes the post only when `actorId` wrote it, checked in the same unit. */
  updatePost(id: number, actorId: number, changes: PostRowChanges): Awaitable<Post | PostRefusal>
  removePost(id: number, actorId: number): Awaitable<true | PostRefusal>
  /** Adds the views and moves last_seen forward, in one unit; every replica's batches add up. */
  applyDeferred(writes: DeferredWrites): Awaitable<void>

  takenField(error: unknown): 'username' | 'email' | undefined
  /** Where the login and registration limits count, when every replica must share them; else in memory. */
  attempts?: AttemptLedger
}

const UNIQUE_INDEXES = { users_username_key_unique: 'username', users_email_key_unique: 'email' } as const
// SQLite's message names the indexed column ("UNIQUE constraint failed: users.email_key"), not the index.
const UNIQUE_COLUMNS = { 'users.username_key': 'username', 'users.email_key': 'email' } as const

const isSqliteUnique = (error: unknown): error is Error =>
  error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'

/** The SQLite store: the prepared queries of ./users.ts and ./tokens.ts, and writes in immediate transactions. */
export function sqliteStore(db: Db): Store {
  const users = userQueries(db)
  const tokens = tokenQueries(db)
  const posts = postQueries(db)
  const postPositions = createPositions<Post>(db, POST_BUCKET_LEVELS, 'down', postPageFrom(db))
  const authorPostPositions = createPositions<Post, [author: number]>(db, AUTHOR_POST_BUCKET_LEVELS, 'down', authorPostPageFrom(db))
  /** The post's author is `actorId`, or why not; inside the write's transaction. */
  const refusal = (id: number, actorId: number): PostRefusal | undefined => {
    const author = posts.authorOf(id)
    return author === undefined ? 'gone' : author === actorId ? undefined : 'forbidden'
  }
  const keys = (changes: UserRowChanges) => ({
    ...changes,
    ...(changes.username === undefined ? {} : { usernameKey: usernameKey(changes.username) }),
    ...(changes.email === undefined ? {} : { emailKey: emailKey(changes.email) }),
  })
  return {
    user: users.find,
    passwordHash: users.passwordHash,
    idByUsername: (username) => users.idByUsernameKey(usernameKey(username)),
    idByEmail: (email) => users.idByEmailKey(emailKey(email)),
    credentials: (username) => users.credentials(usernameKey(username), username),
    page: users.page,
    count: users.count,
    users: users.findMany,
    between: users.between,
    anyAtOrBelow: users.anyAtOrBelow,
    anyAtOrAbove: users.anyAtOrAbove,
    tokenOwner: tokens.ownerOfLive,
    insertUser: (values) =>
      immediately(db, () => users.insert({ ...values, usernameKey: usernameKey(values.username), emailKey: emailKey(values.email) })),
    insertUserWithId: (values) =>
      immediately(db, () => users.insertWithId({ ...values, usernameKey: usernameKey(values.username), emailKey: emailKey(values.email) })),
    resetPassword: (id, passwordHash) =>
      immediately(db, () => {
        tokens.removeForUser(id)
        return users.update(id, { passwordHash })
      }),
    revokeAll: (userId) => db.transaction(() => tokens.removeForUser(userId)),
    updateUser: (id, changes, proven) =>
      immediately(db, () => {
        if (proven !== undefined) {
          const stored = users.passwordHash(id)
          if (stored === undefined) return 'gone'
          if (stored !== proven) return 'stale'
          tokens.removeForUser(id)
        }
        return users.update(id, keys(changes)) ?? 'gone'
      }),
    removeUser: (id) => immediately(db, () => users.remove(id)),
    issueToken: (userId, proven, hash, expiresAt, upgraded) =>
      immediately(db, () => {
        if (users.passwordHash(userId) !== proven) return false
        if (upgraded) users.update(userId, { passwordHash: upgraded })
        tokens.insert({ userId, hash, expiresAt })
        return true
      }),
    post: posts.find,
    neighbours: posts.neighbours,
    postPage: postPositions.page,
    postCount: postPositions.count,
    authorPosts: (authorId, offset, limit) => authorPostPositions.page(offset, limit, authorId).items,
    postsBetween: posts.between,
    anyPostBeyond: posts.anyBeyond,
    insertPost: (values) => immediately(db, () => posts.insert(values)),
    updatePost: (id, actorId, changes) => immediately(db, () => refusal(id, actorId) ?? posts.update(id, changes) ?? 'gone'),
    removePost: (id, actorId) => immediately(db, () => refusal(id, actorId) ?? (posts.remove(id) || 'gone')),
    applyDeferred: ({ views, seen }) =>
      immediately(db, () => {
        for (const [id, count] of views) posts.addViews(id, count)
        for (const [id, at] of seen) users.markSeen(id, at)
      }),
    // Writes run in transactions, which the database checks before they commit (./client.ts).
    revokeToken: (hash) => db.transaction(() => tokens.removeByHash(hash)),
    pruneTokens: (now) => db.transaction(() => tokens.removeExpired(now)),
    takenField: (error) => {
      if (!isSqliteUnique(error)) return undefined
      const column = Object.keys(UNIQUE_COLUMNS).find((name) => error.message.endsWith(name)) as keyof typeof UNIQUE_COLUMNS | undefined
      return column && UNIQUE_COLUMNS[column]
    },
  }
}

/** PostgreSQL names the violated index in the error (SQLSTATE 23505); drizzle may wrap it. */
export function takenFieldOfPostgres(error: unknown): 'username' | 'email' | undefined {
  for (let inner = error, depth = 0; inner instanceof Error && depth < 4; inner = inner.cause, depth++) {
    const { errno, constraint } = inner as { errno?: unknown; constraint?: unknown }
    if (errno === '23505' && typeof constraint === 'string' && constraint in UNIQUE_INDEXES)
      return UNIQUE_INDEXES[constraint as keyof typeof UNIQUE_INDEXES]
  }
  return undefined
}
