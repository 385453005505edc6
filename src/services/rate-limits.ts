import type { RateLimitSettings } from '../config'
import { InvalidCredentialsError, RateLimitedError } from './errors'
import { slidingWindow } from './sliding-window'
import type { IssuedToken } from './tokens'
import { LIMITS } from './validation'

// Worst case about 25 MB of usernames (10 timestamps each) and 20 MB of addresses (100 each). To evict a live
// username, a flood must fail 100,000 logins within the window, every one an argon2id verify through the hash
// queue: far beyond what the queue lets through in 15 minutes.
const MAX_USERNAMES = 100_000
const MAX_ADDRESSES = 20_000
const HOUR_MS = 60 * 60 * 1000

/**
 * Usernames are unique regardless of case, so their failures are too. Longer ones cannot exist and are kept
 * as a digest; ':' is not allowed in a username, so the digest never collides with a real one.
 */
const usernameKey = (username: string) => {
  const lower = username.toLowerCase()
  return lower.length > LIMITS.username ? `:${Bun.hash(lower).toString(36)}` : lower
}

type Login = (username: string, password: string) => Promise<IssuedToken>
type Register<T> = (body: unknown) => Promise<T>

/**
 * The brute-force limits both transports share, wrapped around the services' login and register so that no
 * caller can reach those without passing them.
 */
export function createRateLimits(settings: RateLimitSettings, now: () => number) {
  const loginWindow = { windowMs: settings.loginWindowSeconds * 1000 }
  const byUsername = slidingWindow({ ...loginWindow, limit: settings.loginMaxFailures, maxKeys: MAX_USERNAMES })
  const byAddress = slidingWindow({ ...loginWindow, limit: settings.loginMaxFailuresPerAddress, maxKeys: MAX_ADDRESSES })
  const registrations = slidingWindow({ windowMs: HOUR_MS, limit: settings.registerMaxPerHour, maxKeys: MAX_ADDRESSES })

  /**
   * Every attempt counts as a failure from the moment it starts, so a burst of concurrent attempts cannot all
   * slip past the check before the first one fails; a success (or an attempt that never judged the password,
   * such as a 503) takes its count back. Past the limit the password is not even checked: a right one is
   * refused too, or guessing would simply go on, 429 after 429, until the answer changed.
   */
  function limitLogins(login: Login) {
    return async (username: string, password: string, client: string): Promise<IssuedToken> => {
      const user = usernameKey(username)
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
        const issued = await login(username, password)
        takeBack()
        return issued
      } catch (error) {
        if (!(error instanceof InvalidCredentialsError)) takeBack()
        throw error
      }
    }
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

  return { limitLogins, limitRegistrations }
}
