import type { RateLimitSettings } from '../config'
import type { Awaitable } from '../db/store'
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

/** The three limits, each a window of attempts per key. */
export type LimitName = 'loginByUsername' | 'loginByAddress' | 'registration'
export type LimitWindows = Record<LimitName, { limit: number; windowMs: number }>

export function limitWindows(settings: RateLimitSettings): LimitWindows {
  const loginWindowMs = settings.loginWindowSeconds * 1000
  return {
    loginByUsername: { limit: settings.loginMaxFailures, windowMs: loginWindowMs },
    loginByAddress: { limit: settings.loginMaxFailuresPerAddress, windowMs: loginWindowMs },
    registration: { limit: settings.registerMaxPerHour, windowMs: HOUR_MS },
  }
}

/**
 * Where attempts are counted: in this process (SQLite), or in the database every replica shares (PostgreSQL,
 * src/db/pg/attempts.ts).
 */
export interface AttemptLedger {
  /**
   * Counts an attempt at `at` (ms) under every (limit, key), or under none if one is full: `wait` is 0, or the
   * seconds until there is room; `stamp` is what takes this attempt back.
   */
  count(keys: [LimitName, string][], at: number): Awaitable<{ wait: number; stamp: number }>
  takeBack(keys: [LimitName, string][], stamp: number): Awaitable<void>
  /** Forgets attempts older than every window. */
  prune(now: number): Awaitable<void>
}

/** The in-process ledger: one sliding window per limit. */
export function memoryLedger(settings: RateLimitSettings): AttemptLedger {
  const windows = limitWindows(settings)
  const maxKeys: Record<LimitName, number> = { loginByUsername: MAX_USERNAMES, loginByAddress: MAX_ADDRESSES, registration: MAX_ADDRESSES }
  const ledgers = Object.fromEntries(
    (Object.keys(windows) as LimitName[]).map((name) => [name, slidingWindow({ ...windows[name], maxKeys: maxKeys[name] })]),
  ) as Record<LimitName, ReturnType<typeof slidingWindow>>
  return {
    count(keys, at) {
      const wait = Math.max(...keys.map(([name, key]) => ledgers[name].retryAfter(key, at)))
      if (wait === 0) for (const [name, key] of keys) ledgers[name].record(key, at)
      return { wait, stamp: at }
    },
    takeBack(keys, stamp) {
      for (const [name, key] of keys) ledgers[name].release(key, stamp)
    },
    prune() {},
  }
}

/**
 * The brute-force limits every edge shares, called by the services where each rule lives (the login, the
 * password change, the registration), so that no caller can reach those without passing them.
 */
/** Which limit refused an attempt: what the metrics count refusals by. */
export type RateLimit = 'login' | 'registration'

export function createRateLimits(
  settings: RateLimitSettings,
  now: () => number,
  ledger: AttemptLedger = memoryLedger(settings),
  refused: (limit: RateLimit) => void = () => {},
) {
  /**
   * Runs `verify`, the check of `username`'s password, under the failed-login limits. Every check counts as a
   * failure from the moment it starts, so a burst of concurrent guesses cannot all slip past the limit before the
   * first one fails; a right password (or a check that never judged it, such as a 503) takes its count back.
   * Past the limit the password is not even checked: a right one is refused too, or guessing would simply go
   * on, 429 after 429, until the answer changed.
   */
  async function checkPassword(username: string, clientAddress: string, verify: () => Promise<boolean>): Promise<boolean> {
    const keys: [LimitName, string][] = [
      ['loginByUsername', failureKey(username)],
      ['loginByAddress', clientAddress],
    ]
    const { wait, stamp } = await ledger.count(keys, now())
    if (wait > 0) {
      refused('login')
      throw new RateLimitedError(`Too many failed logins. Try again in ${wait} seconds.`, wait)
    }
    let right: boolean
    try {
      right = await verify()
    } catch (error) {
      await ledger.takeBack(keys, stamp)
      throw error
    }
    if (right) await ledger.takeBack(keys, stamp)
    return right
  }

  /** Every registration request counts, valid or not: it bounds account spam and probing for taken names alike. */
  async function countRegistration(clientAddress: string): Promise<void> {
    if (settings.registerMaxPerHour === 0) return
    const { wait } = await ledger.count([['registration', clientAddress]], now())
    if (wait > 0) {
      refused('registration')
      throw new RateLimitedError(`Too many registrations. Try again in ${wait} seconds.`, wait)
    }
  }

  return { checkPassword, countRegistration, prune: () => ledger.prune(now()) }
}

export type RateLimits = ReturnType<typeof createRateLimits>
