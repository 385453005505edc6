import type { RateLimitSettings } from '../config'
import { InvalidCredentialsError, RateLimitedError, ValidationError } from './errors'
import { IDENTITY_LIMITS, usernameKey } from './identity'
import { slidingWindow } from './sliding-window'
import type { IssuedToken } from './tokens'
import type { User } from './users'
import { MESSAGES } from './validation'

// Measured worst case, every key full: 50,000 usernames of 64 characters with 10 failures each take 16 MiB of
// heap, 10,000 addresses with 100 each 11 MiB (per limiter). Only a flood of fresh keys evicts a live one: for a
// username, some 37,500 failed logins on other names within the window, from at least 375 addresses, each an
// argon2id verify, which keeps the default 4 hash slots (~100 ms a verify) saturated for the whole 15 minutes.
const MAX_USERNAMES = 50_000
const MAX_ADDRESSES = 10_000
const HOUR_MS = 60 * 60 * 1000

/**
 * Failures count per identity, by the key accounts are unique by. Keys longer than any name's are kept as a
 * digest; ':' is not allowed in a username, so the digest never collides with a real one.
 */
const failureKey = (username: string) => {
  const key = usernameKey(username)
  return [...key].length > IDENTITY_LIMITS.usernameChars ? `:${Bun.hash(key).toString(36)}` : key
}

type Login = (username: string, password: string) => Promise<IssuedToken>
type Register<T> = (body: unknown) => Promise<T>
type Update<T> = (actor: User, id: number, body: unknown) => Promise<T>

const isPasswordChange = (body: unknown) => typeof body === 'object' && body !== null && 'password' in body
const isWrongOldPassword = (error: unknown) =>
  error instanceof ValidationError && typeof error.detail === 'object' && error.detail.old_password === MESSAGES.oldPasswordWrong

/**
 * The brute-force limits both transports share, wrapped around the services' login, register and password
 * change so that no caller can reach those without passing them.
 */
export function createRateLimits(settings: RateLimitSettings, now: () => number) {
  const loginWindow = { windowMs: settings.loginWindowSeconds * 1000 }
  const byUsername = slidingWindow({ ...loginWindow, limit: settings.loginMaxFailures, maxKeys: MAX_USERNAMES })
  const byAddress = slidingWindow({ ...loginWindow, limit: settings.loginMaxFailuresPerAddress, maxKeys: MAX_ADDRESSES })
  const registrations = slidingWindow({ windowMs: HOUR_MS, limit: settings.registerMaxPerHour, maxKeys: MAX_ADDRESSES })

  /**
   * Runs `attempt`, which checks `username`'s password; `failed` tells a wrong password from other errors.
   * Every attempt counts as a failure from the moment it starts, so a burst of concurrent attempts cannot all
   * slip past the check before the first one fails; a success (or an attempt that never judged the password,
   * such as a 503) takes its count back. Past the limit the password is not even checked: a right one is
   * refused too, or guessing would simply go on, 429 after 429, until the answer changed.
   */
  async function passwordAttempt<T>(
    username: string,
    client: string,
    attempt: () => Promise<T>,
    failed: (error: unknown) => boolean,
  ): Promise<T> {
    const user = failureKey(username)
    const at = now()
    const wait = Math.max(byUsername.retryAfter(user, at), byAddress.retryAfter(client, at))
    if (wait > 0) throw new RateLimitedError(`Too many failed logins. Try again in ${wait} seconds.`, wait)
    byUsername.record(user, at)
    byAddress.record(client, at)
    const takeBack = () => {
      byUsername.release(user, at)
      byAddress.release(client, at)
    }
    try {
      const result = await attempt()
      takeBack()
      return result
    } catch (error) {
      if (!failed(error)) takeBack()
      throw error
    }
  }

  function limitLogins(login: Login) {
    return (username: string, password: string, client: string): Promise<IssuedToken> =>
      passwordAttempt(username, client, () => login(username, password), (error) => error instanceof InvalidCredentialsError)
  }

  /**
   * A password change proves the current password: with a stolen token, guessing it would take the account for
   * good. Its failures count with the account's failed logins.
   */
  function limitPasswordChanges<T>(update: Update<T>) {
    return (actor: User, id: number, body: unknown, client: string): Promise<T> =>
      isPasswordChange(body)
        ? passwordAttempt(actor.username, client, () => update(actor, id, body), isWrongOldPassword)
        : update(actor, id, body)
  }

  /** Every registration request counts, valid or not: it bounds account spam and probing for taken names alike. */
  function limitRegistrations<T>(register: Register<T>) {
    if (settings.registerMaxPerHour === 0) return (body: unknown, _client: string) => register(body)
    return async (body: unknown, client: string): Promise<T> => {
      const at = now()
      const wait = registrations.retryAfter(client, at)
      if (wait > 0) throw new RateLimitedError(`Too many registrations. Try again in ${wait} seconds.`, wait)
      registrations.record(client, at)
      return register(body)
    }
  }

  return { limitLogins, limitPasswordChanges, limitRegistrations }
}
