import { and, asc, desc, eq, gt, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { rowReader } from '../db/rows'
import { tokens, users } from '../db/schema'
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from './errors'
import { emailKey, normalizeEmail, normalizeUsername, usernameKey } from './identity'
import { pageMeta, type PageMeta, type PageRequest } from './pagination'
import type { PasswordHasher } from './passwords'
import { createUserPositions } from './user-positions'
import { MESSAGES, isValidPassword, requireJsonObject, throwIfAny, type JsonObject } from './validation'

export interface User {
  id: number
  username: string
  email: string
}

/** What a viewer may see of a user: the email only on their own record. */
export interface UserView {
  id: number
  username: string
  email?: string
}

export function viewUser(user: User, viewer: User | undefined): UserView {
  return viewer?.id === user.id ? { id: user.id, username: user.username, email: user.email } : { id: user.id, username: user.username }
}

const columns = { id: users.id, username: users.username, email: users.email }

/** The stored forms and their identity keys, always written together. */
function identity<U extends string | undefined, E extends string | undefined>(username: U, email: E) {
  return {
    username,
    usernameKey: username === undefined ? undefined : usernameKey(username),
    email,
    emailKey: email === undefined ? undefined : emailKey(email),
  } as { username: U; usernameKey: U; email: E; emailKey: E }
}

const isUniqueViolation = (error: unknown, index: string) =>
  error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes(index)

export function createUserService(db: Db, passwords: PasswordHasher) {
  // Lookups by the primary key or a unique index match one row at most, so they carry no LIMIT: Drizzle binds
  // it as a parameter, and a bound LIMIT costs about 5 µs a run on bun:sqlite (bench/), more than the lookup.
  const byId = rowReader<User, [number]>(db, db.select(columns).from(users).where(eq(users.id, sql.placeholder('id'))), ['id'])
  const hashById = db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, sql.placeholder('id'))).prepare()
  const idByUsernameKey = db.select({ id: users.id }).from(users).where(eq(users.usernameKey, sql.placeholder('key'))).prepare()
  const idByName = db
    .select({ id: users.id })
    .from(users)
    .where(or(eq(users.usernameKey, sql.placeholder('key')), and(isNull(users.usernameKey), eq(users.username, sql.placeholder('name')))))
    .orderBy(sql`${users.username} = ${sql.placeholder('name')} DESC`)
    .limit(1)
    .prepare()
  const idByEmailKey = db.select({ id: users.id }).from(users).where(eq(users.emailKey, sql.placeholder('key'))).prepare()
  const positions = createUserPositions(db)
  // Prepared once: an unprepared INSERT or DELETE would compile the count triggers' programs with it every time.
  const insertUser = db
    .insert(users)
    .values({
      username: sql.placeholder('username'),
      usernameKey: sql.placeholder('usernameKey'),
      email: sql.placeholder('email'),
      emailKey: sql.placeholder('emailKey'),
      passwordHash: sql.placeholder('passwordHash'),
    })
    .returning(columns)
    .prepare()
  const deleteUser = db.delete(users).where(eq(users.id, sql.placeholder('id'))).prepare()
  const between = and(gt(users.id, sql.placeholder('after')), lt(users.id, sql.placeholder('before')))
  const lowestBetween = db.select(columns).from(users).where(between).orderBy(asc(users.id)).limit(sql.placeholder('limit')).prepare()
  const highestBetween = db.select(columns).from(users).where(between).orderBy(desc(users.id)).limit(sql.placeholder('limit')).prepare()
  const anyAtOrBelow = db.select({ id: users.id }).from(users).where(lte(users.id, sql.placeholder('id'))).limit(1).prepare()
  const anyAtOrAbove = db.select({ id: users.id }).from(users).where(gte(users.id, sql.placeholder('id'))).limit(1).prepare()

  /** Field messages for names already held by someone other than `self`. */
  function takenFields(input: { username?: string; email?: string }, self?: number): FieldErrors {
    const fields: FieldErrors = {}
    const owner = (row: { id: number } | undefined) => row !== undefined && row.id !== self
    if (input.username !== undefined && owner(idByUsernameKey.get({ key: usernameKey(input.username) })))
      fields.username = MESSAGES.usernameTaken
    if (input.email !== undefined && owner(idByEmailKey.get({ key: emailKey(input.email) }))) fields.email = MESSAGES.emailTaken
    return fields
  }

  /** The unique indexes are the last word when two writers race past the checks above. */
  function translateUniqueViolation(error: unknown): never {
    if (isUniqueViolation(error, 'users_username_key_unique')) throw new ValidationError({ username: MESSAGES.usernameTaken })
    if (isUniqueViolation(error, 'users_email_key_unique')) throw new ValidationError({ email: MESSAGES.emailTaken })
    throw error
  }

  function get(id: number): User {
    const user = byId(id)
    if (!user) throw new NotFoundError('User not found')
    return user
  }

  /**
   * The account a username names, as a login finds it: by identity key, or by exact name for an account left
   * without its key by a collision (src/db/identity-keys.ts), which wins over the key's holder.
   */
  function getByUsername(username: string): User {
    const row = idByName.get({ key: usernameKey(username), name: username })
    if (!row) throw new NotFoundError('User not found')
    return get(row.id)
  }

  /** A new account's username and email: each valid (in `input`) or with its field message (in `fields`). */
  function newNames(data: { username?: unknown; email?: unknown }) {
    const fields: FieldErrors = {}
    const input = { username: normalizeUsername(data.username), email: normalizeEmail(data.email) }
    if (input.username === undefined) fields.username = MESSAGES.username
    if (input.email === undefined) fields.email = MESSAGES.email
    return { fields, input }
  }

  async function register(body: unknown): Promise<User> {
    const data = requireJsonObject(body)
    const { fields, input } = newNames(data)
    if (!isValidPassword(data.password)) fields.password = MESSAGES.password
    throwIfAny({ ...fields, ...takenFields(input) })
    const passwordHash = await passwords.hash(data.password as string)
    try {
      return db.transaction(
        () => {
          throwIfAny(takenFields(input))
          return insertUser.get({ ...identity(input.username!, input.email!), passwordHash })!
        },
        { behavior: 'immediate' },
      )
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /** The new password's hash, once the current one (`proven`) has been verified. */
  async function newPassword(id: number, data: JsonObject): Promise<{ hash: string; proven: string } | undefined> {
    if (!('password' in data)) return undefined
    const current = hashById.get({ id })?.passwordHash
    if (!(await passwords.verify(data.old_password as string, current)))
      throw new ValidationError({ old_password: MESSAGES.oldPasswordWrong })
    return { hash: await passwords.hash(data.password as string), proven: current! }
  }

  /** Only the user themself; a new password needs the old one and ends every session. */
  async function update(actor: User, id: number, body: unknown): Promise<User> {
    get(id)
    if (actor.id !== id) throw new ForbiddenError('Not your record')
    const data = requireJsonObject(body)
    const fields: FieldErrors = {}
    const changes = {
      username: 'username' in data ? normalizeUsername(data.username) : undefined,
      email: 'email' in data ? normalizeEmail(data.email) : undefined,
    }
    if ('username' in data && changes.username === undefined) fields.username = MESSAGES.username
    if ('email' in data && changes.email === undefined) fields.email = MESSAGES.email
    if ('password' in data && !isValidPassword(data.password)) fields.password = MESSAGES.password
    if ('password' in data && !isValidPassword(data.old_password)) fields.old_password = MESSAGES.oldPasswordMissing
    throwIfAny({ ...fields, ...takenFields(changes, id) })
    const password = await newPassword(id, data)
    const passwordHash = password?.hash
    try {
      // Hashing is done; from here to the commit nothing awaits, so no other request's write lands in between.
      return db.transaction(
        (tx) => {
          throwIfAny(takenFields(changes, id))
          if (password) {
            const stored = hashById.get({ id })?.passwordHash
            if (stored === undefined) throw new NotFoundError('User not found')
            // Another change won the race since old_password was verified: it no longer proves anything.
            if (stored !== password.proven) throw new ValidationError({ old_password: MESSAGES.oldPasswordWrong })
            tx.delete(tokens).where(eq(tokens.userId, id)).run()
          }
          const updated = tx
            .update(users)
            .set({ ...identity(changes.username, changes.email), ...(passwordHash ? { passwordHash } : {}), updatedAt: new Date() })
            .where(eq(users.id, id))
            .returning(columns)
            .get()
          if (!updated) throw new NotFoundError('User not found')
          return updated
        },
        { behavior: 'immediate' },
      )
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /** An administrator's reset: no old password, and like any password change it ends every session. */
  async function setPassword(id: number, password: unknown): Promise<User> {
    get(id)
    if (!isValidPassword(password)) throw new ValidationError({ password: MESSAGES.password })
    const passwordHash = await passwords.hash(password)
    return db.transaction(
      (tx) => {
        tx.delete(tokens).where(eq(tokens.userId, id)).run()
        const updated = tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id)).returning(columns).get()
        if (!updated) throw new NotFoundError('User not found')
        return updated
      },
      { behavior: 'immediate' },
    )
  }

  /**
   * An account moved in from another system with its id and password hash (checked by the caller), under the
   * same rules as a registration: valid names, and none equal to an existing one.
   */
  function importAccount(account: { id: number; username: unknown; email: unknown; passwordHash: string }): User {
    const { fields, input } = newNames(account)
    throwIfAny({ ...fields, ...takenFields(input) })
    try {
      return db
        .insert(users)
        .values({ id: account.id, ...identity(input.username!, input.email!), passwordHash: account.passwordHash })
        .returning(columns)
        .get()
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /** Only the user themself; their tokens go with them (ON DELETE CASCADE). */
  function remove(actor: User, id: number): void {
    db.transaction(
      () => {
        get(id)
        if (actor.id !== id) throw new ForbiddenError('Not your record')
        deleteUser.run({ id })
      },
      { behavior: 'immediate' },
    )
  }

  function list(request: PageRequest): { items: User[]; meta: PageMeta } {
    const { items, total } = positions.page((request.page - 1) * request.perPage, request.perPage)
    return { items, meta: pageMeta(request, total) }
  }

  /**
   * Keyset page: up to `limit` users with ids strictly between `afterId` and `beforeId`, taken from the low end
   * or (`fromEnd`) the high end, always returned in id order; `more` says the range held further users.
   */
  function window(range: IdRange, limit: number, fromEnd: boolean): { items: User[]; more: boolean } {
    const params = { after: range.afterId ?? 0, before: range.beforeId ?? Number.MAX_SAFE_INTEGER, limit: limit + 1 }
    const rows = (fromEnd ? highestBetween : lowestBetween).all(params)
    const items = rows.slice(0, limit)
    return { items: fromEnd ? items.reverse() : items, more: rows.length > limit }
  }

  /** Whether any user lies outside a keyset range on that side: ids at or below `id`, or at or above it. */
  const anyBeyond = (id: number, side: 'below' | 'above') =>
    (side === 'below' ? anyAtOrBelow : anyAtOrAbove).get({ id }) !== undefined

  return { get, getByUsername, register, update, setPassword, importAccount, remove, list, window, anyBeyond, count: positions.count }
}

export interface IdRange {
  afterId?: number
  beforeId?: number
}

export type UserService = ReturnType<typeof createUserService>
