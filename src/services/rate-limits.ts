import type { RateLimitSettings } from '../config'
import { RateLimitedError } from './errors'
import { IDENTITY_LIMITS, usernameKey } from './identity'
import { slidingWindow } from './sliding-window'

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

/**
 * The brute-force limits every edge shares, called by the services where each rule lives (the login, the
 * password change, the registration), so that no caller can reach those without passing them.
 */
/** Which limit refused an attempt: what the metrics count refusals by. */
export type RateLimit = 'login' | 'registration'

export function createRateLimits(settings: RateLimitSettings, now: () => number, refused: (limit: RateLimit) => void = () => {}) {
  const loginWindow = { windowMs: settings.loginWindowSeconds * 1000 }
  const byUsername = slidingWindow({ ...loginWindow, limit: settings.loginMaxFailures, maxKeys: MAX_USERNAMES })
  const byAddress = slidingWindow({ ...loginWindow, limit: settings.loginMaxFailuresPerAddress, maxKeys: MAX_ADDRESSES })
  const registrations = slidingWindow({ windowMs: HOUR_MS, limit: settings.registerMaxPerHour, maxKeys: MAX_ADDRESSES })

  /**
   * Runs `verify`, the check of `username`'s password, under the failed-login limits. Every check counts as a
   * failure from the moment it starts, so a burst of concurrent guesses cannot all slip past the limit before the
   * first one fails; a right password (or a check that never judged it, such as a 503) takes its count back.
   * Past the limit the password is not even checked: a right one is refused too, or guessing would simply go
   * on, 429 after 429, until the answer changed.
   */
  async function checkPassword(username: string, clientAddress: string, verify: () => Promise<boolean>): Promise<boolean> {
    const user = failureKey(username)
    const at = now()
    const wait = Math.max(byUsername.retryAfter(user, at), byAddress.retryAfter(clientAddress, at))
    if (wait > 0) {
      refused('login')
      throw new RateLimitedError(`Too many failed logins. Try again in ${wait} seconds.`, wait)
    }
    byUsername.record(user, at)
    byAddress.record(clientAddress, at)
    const takeBack = () => {
      byUsername.release(user, at)
      byAddress.release(clientAddress, at)
    }
    let right: boolean
    try {
      right = await verify()
    } catch (error) {
      takeBack()
      throw error
    }
    if (right) takeBack()
    return right
  }

  /** Every registration request counts, valid or not: it bounds account spam and probing for taken names alike. */
  function countRegistration(clientAddress: string): void {
    if (settings.registerMaxPerHour === 0) return
    const at = now()
    const wait = registrations.retryAfter(clientAddress, at)
    if (wait > 0) {
      refused('registration')
      throw new RateLimitedError(`Too many registrations. Try again in ${wait} seconds.`, wait)
    }
    registrations.record(clientAddress, at)
  }

  return { checkPassword, countRegistration }
}

export type RateLimits = ReturnType<typeof createRateLimits>
