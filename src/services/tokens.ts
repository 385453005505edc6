import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { rowReader } from '../db/rows'
import { tokens, users } from '../db/schema'
import { InvalidCredentialsError, UnauthenticatedError } from './errors'
import { usernameKey } from './identity'
import { isLegacyHash, type PasswordHasher } from './passwords'
import type { User } from './users'

export interface IssuedToken {
  token: string
  expiresAt: Date
}

const TOKEN_BYTES = 32 // 256 bits of entropy
// base64url of 32 bytes; anything else cannot be one of ours and is refused before touching the database.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** Only this digest is stored: a copy of the database file holds no usable token. */
export const digestToken = (token: string) => new Bun.CryptoHasher('sha256').update(token).digest('hex')

export function createTokenService(db: Db, passwords: PasswordHasher, ttlSeconds: number) {
  // Every authenticated request runs this first. A scalar subquery rather than a join, which SQLite runs several
  // times faster here; no LIMIT, since the unique token_hash index gives one row at most and Drizzle's bound
  // LIMIT costs more than the lookup itself (bench/).
  const liveOwner = db
    .select({ id: tokens.userId })
    .from(tokens)
    .where(and(eq(tokens.tokenHash, sql.placeholder('hash')), gt(tokens.expiresAt, sql.placeholder('now'))))
  const userByToken = rowReader<User, [string, number]>(
    db,
    db.select({ id: users.id, username: users.username, email: users.email }).from(users).where(eq(users.id, liveOwner)),
    ['hash', 'now'],
  )
  // By identity key; a row left without one (it shared its key with an older account when the identity rule
  // arrived, src/db/identity-keys.ts) is found by its exact name, which wins over the key's holder.
  const credentialsByUsername = db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(or(eq(users.usernameKey, sql.placeholder('key')), and(isNull(users.usernameKey), eq(users.username, sql.placeholder('name')))))
    .orderBy(sql`${users.username} = ${sql.placeholder('name')} DESC`)
    .limit(1)
    .prepare()
  const passwordHashById = db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, sql.placeholder('id'))).prepare()
  const insert = db
    .insert(tokens)
    .values({
      userId: sql.placeholder('userId'),
      tokenHash: sql.placeholder('hash'),
      expiresAt: sql.placeholder('expiresAt'),
    })
    .prepare()
  const deleteByUser = db.delete(tokens).where(eq(tokens.userId, sql.placeholder('id'))).returning({ id: tokens.id }).prepare()
  const deleteByHash = db.delete(tokens).where(eq(tokens.tokenHash, sql.placeholder('hash'))).prepare()
  const deleteExpired = db
    .delete(tokens)
    .where(lte(tokens.expiresAt, sql.placeholder('now')))
    .returning({ id: tokens.id })
    .prepare()

  /** A fresh random token for every login, so one user may hold several sessions. */
  async function login(username: string, password: string): Promise<IssuedToken> {
    const account = credentialsByUsername.get({ key: usernameKey(username), name: username })
    const valid = await passwords.verify(password, account?.passwordHash)
    if (!account || !valid) throw new InvalidCredentialsError('Invalid username or password')
    // An imported werkzeug hash is replaced by argon2id now that the password is known; written below, in the
    // same check-and-write as the token, so it never overwrites a password changed meanwhile.
    const upgraded = isLegacyHash(account.passwordHash) ? await passwords.hash(password) : undefined
    const token = Buffer.from(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES))).toString('base64url')
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000)
    // The verify above awaited: a password change (which revokes every token) or a deletion may have committed
    // meanwhile. The token is issued only if the verified hash is still the stored one, checked and written in
    // one immediate transaction, so no token outlives the password it was issued for.
    db.transaction(
      () => {
        if (passwordHashById.get({ id: account.id })?.passwordHash !== account.passwordHash)
          throw new InvalidCredentialsError('Invalid username or password')
        if (upgraded) db.update(users).set({ passwordHash: upgraded }).where(eq(users.id, account.id)).run()
        insert.run({ userId: account.id, hash: digestToken(token), expiresAt })
      },
      { behavior: 'immediate' },
    )
    return { token, expiresAt }
  }

  /** The token's owner while it is live; expiry is checked here, not left to a cleanup job. */
  function authenticate(token: string): User {
    const user = TOKEN_SHAPE.test(token) ? userByToken(digestToken(token), Date.now()) : undefined
    if (!user) throw new UnauthenticatedError('Invalid or expired token')
    return user
  }

  // Writes run in transactions, which the database checks before they commit (src/db/client.ts).
  function revoke(token: string): void {
    db.transaction(() => deleteByHash.run({ hash: digestToken(token) }))
  }

  /** Ends every session of one user; returns how many tokens that was. */
  function revokeAll(userId: number): number {
    return db.transaction(() => deleteByUser.all({ id: userId }).length)
  }

  /** Removes tokens past their expiry; they are already refused, this only reclaims space. */
  function pruneExpired(): number {
    return db.transaction(() => deleteExpired.all({ now: Date.now() }).length)
  }

  return { login, authenticate, revoke, revokeAll, pruneExpired }
}

export type TokenService = ReturnType<typeof createTokenService>
