import { andThen, type Awaitable, type Store } from '../db/store'
import type { User } from '../db/users'
import { InvalidCredentialsError, UnauthenticatedError } from './errors'
import { isLegacyHash, type PasswordHasher } from './passwords'
import type { RateLimits } from './rate-limits'

export interface IssuedToken {
  token: string
  expiresAt: Date
}

/** Who a request speaks for: the live owner of its bearer token, or why it has none (usually UnauthenticatedError). */
export type Caller = { user: User; token: string } | { refused: unknown } | typeof NO_TOKEN

/** No token was sent: its refusal is made only where a caller is needed (an Error's stack costs µs on every public read). */
const NO_TOKEN = { anonymous: true } as const

/** The caller's account and token, or the refusal it carries. */
export function signedIn(caller: Caller): { user: User; token: string } {
  if ('anonymous' in caller) throw new UnauthenticatedError('Missing bearer token')
  if ('refused' in caller) throw caller.refused
  return caller
}

const TOKEN_BYTES = 32 // 256 bits of entropy
// base64url of 32 bytes; anything else cannot be one of ours and is refused before touching the database.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** Only this digest is stored: a copy of the database file holds no usable token. */
export const digestToken = (token: string) => new Bun.CryptoHasher('sha256').update(token).digest('hex')

/** `seen` hears of every authenticated request (last_seen, src/services/deferred-writes.ts). */
export function createTokenService(
  store: Store,
  passwords: PasswordHasher,
  limits: RateLimits,
  ttlSeconds: number,
  seen: (user: User) => void = () => {},
) {
  /** A fresh random token for every login, so one user may hold several sessions; failures count per name and address. */
  async function login(credentials: { username: string; password: string }, clientAddress: string): Promise<IssuedToken> {
    const account = await store.credentials(credentials.username)
    const valid = await limits.checkPassword(credentials.username, clientAddress, () =>
      passwords.verify(credentials.password, account?.passwordHash),
    )
    if (!account || !valid) throw new InvalidCredentialsError('Invalid username or password')
    // An imported werkzeug hash is replaced by argon2id now that the password is known; written in the same
    // check-and-write as the token, so it never overwrites a password changed meanwhile.
    const upgraded = isLegacyHash(account.passwordHash) ? await passwords.hash(credentials.password) : undefined
    const token = Buffer.from(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES))).toString('base64url')
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000)
    // The verify above awaited: a password change (which revokes every token) or a deletion may have committed
    // meanwhile. The token is issued only if the verified hash is still the stored one, checked and written in
    // one write unit holding the account's row, so no token outlives the password it was issued for.
    if (!(await store.issueToken(account.id, account.passwordHash, digestToken(token), expiresAt, upgraded)))
      throw new InvalidCredentialsError('Invalid username or password')
    return { token, expiresAt }
  }

  /** The token's owner while it is live; expiry is checked here, not left to a cleanup job. */
  function authenticate(token: string): Awaitable<User> {
    const found = TOKEN_SHAPE.test(token) ? store.tokenOwner(digestToken(token), Date.now()) : undefined
    return andThen(found, (user) => {
      if (!user) throw new UnauthenticatedError('Invalid or expired token')
      seen(user)
      return user
    })
  }

  /**
   * Who a bearer token (undefined: none was sent) speaks for. A failure, even the database's, is kept for whatever
   * needs a signed-in caller, so that each face answers it in its own terms, and only where it matters.
   */
  function caller(token: string | undefined): Awaitable<Caller> {
    if (token === undefined) return NO_TOKEN
    try {
      const user = authenticate(token)
      return user instanceof Promise ? user.then((user) => ({ user, token }), (refused: unknown) => ({ refused })) : { user, token }
    } catch (error) {
      return { refused: error }
    }
  }

  async function revoke(token: string): Promise<void> {
    await store.revokeToken(digestToken(token))
  }

  /** Ends every session of one user; returns how many tokens that was. */
  async function revokeAll(userId: number): Promise<number> {
    return store.revokeAll(userId)
  }

  /** Removes tokens past their expiry; they are already refused, this only reclaims space. */
  async function pruneExpired(): Promise<number> {
    return store.pruneTokens(Date.now())
  }

  return { login, authenticate, caller, revoke, revokeAll, pruneExpired }
}

export type TokenService = ReturnType<typeof createTokenService>
