import { immediately, type Db } from '../db/client'
import { tokenQueries } from '../db/tokens'
import { userQueries, type User } from '../db/users'
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from './errors'
import { emailKey, usernameKey } from './identity'
import type { AccountNames, CheckedInput, NewUser, UserChanges } from './input'
import { pageMeta, type PageMeta, type PageRequest } from './pagination'
import type { PasswordHasher } from './passwords'
import type { RateLimits } from './rate-limits'
import { MESSAGES, isValidPassword, throwIfAny } from './validation'

export type { User } from '../db/users'

/** What a viewer may see of a user: the email only on their own record. */
export interface UserView {
  id: number
  username: string
  email?: string
}

export function viewUser(user: User, viewer: User | undefined): UserView {
  return viewer?.id === user.id ? { id: user.id, username: user.username, email: user.email } : { id: user.id, username: user.username }
}

export interface IdRange {
  afterId?: number
  beforeId?: number
}

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

export function createUserService(db: Db, passwords: PasswordHasher, limits: RateLimits) {
  const users = userQueries(db)
  const tokens = tokenQueries(db)

  /** Field messages for names already held by someone other than `self`. */
  function takenFields(input: { username?: string; email?: string }, self?: number): FieldErrors {
    const fields: FieldErrors = {}
    const other = (id: number | undefined) => id !== undefined && id !== self
    if (input.username !== undefined && other(users.idByUsernameKey(usernameKey(input.username)))) fields.username = MESSAGES.usernameTaken
    if (input.email !== undefined && other(users.idByEmailKey(emailKey(input.email)))) fields.email = MESSAGES.emailTaken
    return fields
  }

  /** The unique indexes are the last word when two writers race past the checks above. */
  function translateUniqueViolation(error: unknown): never {
    if (isUniqueViolation(error, 'users_username_key_unique')) throw new ValidationError({ username: MESSAGES.usernameTaken })
    if (isUniqueViolation(error, 'users_email_key_unique')) throw new ValidationError({ email: MESSAGES.emailTaken })
    throw error
  }

  function get(id: number): User {
    const user = users.find(id)
    if (!user) throw new NotFoundError('User not found')
    return user
  }

  /**
   * The account a username names, as a login finds it: by identity key, or by exact name for an account left
   * without its key by a collision (src/db/identity-keys.ts), which wins over the key's holder.
   */
  function getByUsername(username: string): User {
    const account = users.credentials(usernameKey(username), username)
    if (!account) throw new NotFoundError('User not found')
    return get(account.id)
  }

  /** Counted against the registration limit of `clientAddress` before anything else, valid or not. */
  async function register(input: CheckedInput<NewUser>, clientAddress: string): Promise<User> {
    limits.countRegistration(clientAddress)
    const { username, email, password } = input.accept(takenFields(input.valid))
    const passwordHash = await passwords.hash(password)
    try {
      return immediately(db, () => {
        throwIfAny(takenFields({ username, email }))
        return users.insert({ ...identity(username, email), passwordHash })
      })
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /**
   * The new password's hash, once the current one (`proven`) has been verified. The check counts with the
   * account's failed logins: with a stolen token, guessing it would take the account for good.
   */
  async function newPassword(actor: User, change: NonNullable<UserChanges['password']>, clientAddress: string) {
    const current = users.passwordHash(actor.id)
    const right = await limits.checkPassword(actor.username, clientAddress, () => passwords.verify(change.oldPassword, current))
    if (!right) throw new ValidationError({ oldPassword: MESSAGES.oldPasswordWrong })
    return { hash: await passwords.hash(change.password), proven: current! }
  }

  /** Only the user themself; a new password needs the old one and ends every session. */
  async function update(actor: User, id: number, input: CheckedInput<UserChanges>, clientAddress: string): Promise<User> {
    get(id)
    if (actor.id !== id) throw new ForbiddenError('Not your record')
    const changes = input.accept(takenFields(input.valid, id))
    const password = changes.password && (await newPassword(actor, changes.password, clientAddress))
    const names = { username: changes.username, email: changes.email }
    try {
      // Hashing is done; from here to the commit nothing awaits, so no other request's write lands in between.
      return immediately(db, () => {
        throwIfAny(takenFields(names, id))
        if (password) {
          const stored = users.passwordHash(id)
          if (stored === undefined) throw new NotFoundError('User not found')
          // Another change won the race since the old password was verified: it no longer proves anything.
          if (stored !== password.proven) throw new ValidationError({ oldPassword: MESSAGES.oldPasswordWrong })
          tokens.removeForUser(id)
        }
        const updated = users.update(id, { ...identity(names.username, names.email), ...(password ? { passwordHash: password.hash } : {}) })
        if (!updated) throw new NotFoundError('User not found')
        return updated
      })
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /** An administrator's reset: no old password, and like any password change it ends every session. */
  async function setPassword(id: number, password: unknown): Promise<User> {
    get(id)
    if (!isValidPassword(password)) throw new ValidationError({ password: MESSAGES.password })
    const passwordHash = await passwords.hash(password)
    return immediately(db, () => {
      tokens.removeForUser(id)
      const updated = users.update(id, { passwordHash })
      if (!updated) throw new NotFoundError('User not found')
      return updated
    })
  }

  /**
   * An account moved in from another system with its id and password hash (checked by the caller), under the
   * same rules as a registration: valid names, and none equal to an existing one.
   */
  function importAccount(id: number, input: CheckedInput<AccountNames>, passwordHash: string): User {
    const { username, email } = input.accept(takenFields(input.valid))
    try {
      return immediately(db, () => users.insertWithId({ id, ...identity(username, email), passwordHash }))
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /** Only the user themself; their tokens go with them (ON DELETE CASCADE). */
  function remove(actor: User, id: number): void {
    immediately(db, () => {
      get(id)
      if (actor.id !== id) throw new ForbiddenError('Not your record')
      users.remove(id)
    })
  }

  function list(request: PageRequest): { items: User[]; meta: PageMeta } {
    const { items, total } = users.page((request.page - 1) * request.perPage, request.perPage)
    return { items, meta: pageMeta(request, total) }
  }

  /**
   * Keyset page: up to `limit` users with ids strictly between `afterId` and `beforeId`, taken from the low end
   * or (`fromEnd`) the high end, always returned in id order; `more` says the range held further users.
   */
  function slice(range: IdRange, limit: number, fromEnd: boolean): { items: User[]; more: boolean } {
    const rows = users.between(range.afterId ?? 0, range.beforeId ?? Number.MAX_SAFE_INTEGER, limit + 1, fromEnd)
    const items = rows.slice(0, limit)
    return { items: fromEnd ? items.reverse() : items, more: rows.length > limit }
  }

  /** Whether any user lies outside a keyset range on that side: ids at or below `id`, or at or above it. */
  const anyBeyond = (id: number, side: 'below' | 'above') => (side === 'below' ? users.anyAtOrBelow(id) : users.anyAtOrAbove(id))

  return { get, getByUsername, register, update, setPassword, importAccount, remove, list, slice, anyBeyond, count: users.count }
}

export type UserService = ReturnType<typeof createUserService>
