import { andThen, type Awaitable, type Store } from '../db/store'
import type { User } from '../db/users'
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from './errors'
import type { AccountNames, CheckedInput, NewUser, UserChanges } from './input'
import { pageMeta, type PageMeta, type PageRequest } from './pagination'
import type { PasswordHasher } from './passwords'
import type { RateLimits } from './rate-limits'
import { MESSAGES, isValidPassword } from './validation'

export type { User } from '../db/users'

/** What a viewer may see of a user: the email only on their own record. */
export type UserView = Omit<User, 'email'> & { email?: string }

export function viewUser(user: User, viewer: Pick<User, 'id'> | undefined): UserView {
  if (viewer?.id === user.id) return user
  // Field by field: a rest copy (`{ email, ...view }`) costs several times as much, once per user of every page.
  const { id, username, name, location, aboutMe, memberSince, lastSeen, postsCount } = user
  return { id, username, name, location, aboutMe, memberSince, lastSeen, postsCount }
}

export interface IdRange {
  afterId?: number
  beforeId?: number
}

const TAKEN = { username: MESSAGES.usernameTaken, email: MESSAGES.emailTaken } as const

export function createUserService(store: Store, passwords: PasswordHasher, limits: RateLimits) {
  /** Field messages for names already held by someone other than `self`. */
  function takenFields(input: { username?: string; email?: string }, self?: number): Awaitable<FieldErrors> {
    const other = (id: number | undefined) => id !== undefined && id !== self
    return andThen(input.username === undefined ? undefined : store.idByUsername(input.username), (nameOwner) =>
      andThen(input.email === undefined ? undefined : store.idByEmail(input.email), (emailOwner) => {
        const fields: FieldErrors = {}
        if (other(nameOwner)) fields.username = TAKEN.username
        if (other(emailOwner)) fields.email = TAKEN.email
        return fields
      }),
    )
  }

  /** The unique indexes are the last word when two writers race past the checks above. */
  function translateUniqueViolation(error: unknown): never {
    const field = store.takenField(error)
    throw field ? new ValidationError({ [field]: TAKEN[field] }) : error
  }

  function get(id: number): Awaitable<User> {
    return andThen(store.user(id), (user) => {
      if (!user) throw new NotFoundError('User not found')
      return user
    })
  }

  /**
   * The account a username names, as a login finds it: by identity key, or by exact name for an account left
   * without its key by a collision (src/db/identity-keys.ts), which wins over the key's holder.
   */
  async function getByUsername(username: string): Promise<User> {
    const account = await store.credentials(username)
    if (!account) throw new NotFoundError('User not found')
    return get(account.id)
  }

  /** Counted against the registration limit of `clientAddress` before anything else, valid or not. */
  async function register(input: CheckedInput<NewUser>, clientAddress: string): Promise<User> {
    await limits.countRegistration(clientAddress)
    const { username, email, password } = input.accept(await takenFields(input.valid))
    const passwordHash = await passwords.hash(password)
    try {
      return await store.insertUser({ username, email, passwordHash })
    } catch (error) {
      return translateUniqueViolation(error)
    }
  }

  /**
   * The new password's hash, once the current one (`proven`) has been verified. The check counts with the
   * account's failed logins: with a stolen token, guessing it would take the account for good.
   */
  async function newPassword(actor: User, change: NonNullable<UserChanges['password']>, clientAddress: string) {
    const current = await store.passwordHash(actor.id)
    const right = await limits.checkPassword(actor.username, clientAddress, () => passwords.verify(change.oldPassword, current))
    if (!right) throw new ValidationError({ oldPassword: MESSAGES.oldPasswordWrong })
    return { hash: await passwords.hash(change.password), proven: current! }
  }

  /** Only the user themself; a new password needs the old one and ends every session. */
  async function update(actor: User, id: number, input: CheckedInput<UserChanges>, clientAddress: string): Promise<User> {
    await get(id)
    if (actor.id !== id) throw new ForbiddenError('Not your record')
    const changes = input.accept(await takenFields(input.valid, id))
    const { password: passwordChange, ...fields } = changes
    const password = passwordChange && (await newPassword(actor, passwordChange, clientAddress))
    let updated: Awaited<ReturnType<Store['updateUser']>>
    try {
      updated = await store.updateUser(id, { ...fields, ...(password ? { passwordHash: password.hash } : {}) }, password?.proven)
    } catch (error) {
      return translateUniqueViolation(error)
    }
    if (updated === 'gone') throw new NotFoundError('User not found')
    // Another change won the race since the old password was verified: it no longer proves anything.
    if (updated === 'stale') throw new ValidationError({ oldPassword: MESSAGES.oldPasswordWrong })
    return updated
  }

  /** An administrator's reset: no old password, and like any password change it ends every session. */
  async function setPassword(id: number, password: unknown): Promise<User> {
    await get(id)
    if (!isValidPassword(password)) throw new ValidationError({ password: MESSAGES.password })
    const updated = await store.resetPassword(id, await passwords.hash(password))
    if (!updated) throw new NotFoundError('User not found')
    return updated
  }

  /**
   * An account moved in from another system with its id and password hash (checked by the caller), under the
   * same rules as a registration: valid names, and none equal to an existing one.
   */
  // Synchronous on SQLite, so that import-flask can run every import in one transaction (and roll a dry run back).
  function importAccount(id: number, input: CheckedInput<AccountNames>, passwordHash: string): Awaitable<User> {
    return andThen(takenFields(input.valid), (taken) => {
      const { username, email } = input.accept(taken)
      try {
        const inserted = store.insertUserWithId({ id, username, email, passwordHash })
        return inserted instanceof Promise ? inserted.catch(translateUniqueViolation) : inserted
      } catch (error) {
        return translateUniqueViolation(error)
      }
    })
  }

  /** Only the user themself; their tokens go with them (ON DELETE CASCADE). */
  async function remove(actor: User, id: number): Promise<void> {
    await get(id)
    if (actor.id !== id) throw new ForbiddenError('Not your record')
    if (!(await store.removeUser(id))) throw new NotFoundError('User not found')
  }

  async function list(request: PageRequest): Promise<{ items: User[]; meta: PageMeta }> {
    const { items, total } = await store.page((request.page - 1) * request.perPage, request.perPage)
    return { items, meta: pageMeta(request, total) }
  }

  /**
   * Keyset page: up to `limit` users with ids strictly between `afterId` and `beforeId`, taken from the low end
   * or (`fromEnd`) the high end, always returned in id order; `more` says the range held further users.
   */
  function slice(range: IdRange, limit: number, fromEnd: boolean): Awaitable<{ items: User[]; more: boolean }> {
    return andThen(store.between(range.afterId ?? 0, range.beforeId ?? Number.MAX_SAFE_INTEGER, limit + 1, fromEnd), (rows) => {
      const items = rows.slice(0, limit)
      return { items: fromEnd ? items.reverse() : items, more: rows.length > limit }
    })
  }

  /** Whether any user lies outside a keyset range on that side: ids at or below `id`, or at or above it. */
  const anyBeyond = (id: number, side: 'below' | 'above'): Awaitable<boolean> =>
    side === 'below' ? store.anyAtOrBelow(id) : store.anyAtOrAbove(id)

  return { get, getByUsername, register, update, setPassword, importAccount, remove, list, slice, anyBeyond, count: (): Awaitable<number> => store.count() }
}

export type UserService = ReturnType<typeof createUserService>
