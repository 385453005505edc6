import type { RateLimitSettings } from '../src/config'
import { testConfig } from './helpers'

/** The production rate limits with some changed, as `testApp` config overrides. */
export const rateLimits = (changes: Partial<RateLimitSettings> = {}) => ({
  rateLimits: { ...testConfig().rateLimits, ...changes },
})

/** A clock the test moves by hand, for the limiters' windows. */
export function fakeClock() {
  const clock = {
    ms: Date.UTC(2026, 0, 1),
    now: () => clock.ms,
    advance: (seconds: number) => void (clock.ms += seconds * 1000),
  }
  return clock
}
