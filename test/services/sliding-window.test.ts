import { describe, expect, test } from 'bun:test'
import { slidingWindow } from '../../src/services/sliding-window'

const MINUTE = 60_000

describe('slidingWindow', () => {
  test('a key is full after `limit` events; the oldest one leaving the window frees a slot', () => {
    const window = slidingWindow({ limit: 3, windowMs: 10 * MINUTE, maxKeys: 100 })
    window.record('k', 0)
    window.record('k', 2 * MINUTE)
    expect(window.retryAfter('k', 2 * MINUTE)).toBe(0)
    window.record('k', 4 * MINUTE)
    expect(window.retryAfter('k', 4 * MINUTE)).toBe(6 * 60) // the event at 0 leaves at 10 min
    expect(window.retryAfter('k', 10 * MINUTE - 1)).toBe(1)
    expect(window.retryAfter('k', 10 * MINUTE)).toBe(0)
    expect(window.retryAfter('other', 4 * MINUTE)).toBe(0)
  })

  test('release takes back one event', () => {
    const window = slidingWindow({ limit: 2, windowMs: MINUTE, maxKeys: 100 })
    window.record('k', 1)
    window.record('k', 2)
    expect(window.retryAfter('k', 3)).toBeGreaterThan(0)
    window.release('k', 2)
    expect(window.retryAfter('k', 3)).toBe(0)
    window.release('k', 1)
    expect(window.size()).toBe(0)
  })

  test('a flood of distinct keys never holds more than maxKeys, evicting the stalest', () => {
    const window = slidingWindow({ limit: 1, windowMs: 10 * MINUTE, maxKeys: 1000 })
    window.record('victim', 0)
    for (let i = 0; i < 999; i++) window.record(`flood${i}`, 1 + i)
    expect(window.size()).toBe(1000)
    expect(window.retryAfter('victim', 1000)).toBeGreaterThan(0)
    for (let i = 0; i < 5000; i++) window.record(`more${i}`, 2000 + i)
    expect(window.size()).toBeLessThanOrEqual(1000)
    // Only a flood of maxKeys fresh keys within one window can push a live key out.
    expect(window.retryAfter('victim', 60_000)).toBe(0)
  })

  test('expired keys are dropped as new events arrive, so an idle flood does not stay in memory', () => {
    const window = slidingWindow({ limit: 5, windowMs: MINUTE, maxKeys: 10_000 })
    for (let i = 0; i < 5000; i++) window.record(`k${i}`, i)
    expect(window.size()).toBe(5000)
    window.record('late', 5000 + MINUTE)
    expect(window.size()).toBe(1)
  })

  test('a key keeps at most `limit` timestamps however many events it gets', () => {
    const window = slidingWindow({ limit: 2, windowMs: MINUTE, maxKeys: 10 })
    for (let i = 0; i < 100; i++) window.record('k', i)
    window.release('k', 99)
    window.release('k', 98)
    expect(window.size()).toBe(0)
  })
})
