import { describe, expect, test } from 'bun:test'
import { slidingWindow } from '../../src/services/sliding-window'

const MINUTE = 60_000

/** Heap bytes in use once the garbage collector has run: how a test sees what the window still holds. */
function heapAfterGc(): number {
  Bun.gc(true)
  return process.memoryUsage().heapUsed
}

/** What `fill` added to the heap and, after `drain`, what of it is still held, in bytes. */
function heldAfter(fill: () => void, drain: () => void) {
  const before = heapAfterGc()
  fill()
  const filled = heapAfterGc()
  drain()
  return { added: filled - before, held: heapAfterGc() - before }
}

describe('slidingWindow', () => {
  test('a key is full after `limit` events; the oldest one leaving the window frees a slot', () => {
    const limiter = slidingWindow({ limit: 3, windowMs: 10 * MINUTE, maxKeys: 100 })
    limiter.record('k', 0)
    limiter.record('k', 2 * MINUTE)
    expect(limiter.retryAfter('k', 2 * MINUTE)).toBe(0)
    limiter.record('k', 4 * MINUTE)
    expect(limiter.retryAfter('k', 4 * MINUTE)).toBe(6 * 60) // the event at 0 leaves at 10 min
    expect(limiter.retryAfter('k', 10 * MINUTE - 1)).toBe(1)
    expect(limiter.retryAfter('k', 10 * MINUTE)).toBe(0)
    expect(limiter.retryAfter('other', 4 * MINUTE)).toBe(0)
  })

  test('release takes back one event', () => {
    const limiter = slidingWindow({ limit: 2, windowMs: MINUTE, maxKeys: 100 })
    limiter.record('k', 1)
    limiter.record('k', 2)
    expect(limiter.retryAfter('k', 3)).toBeGreaterThan(0)
    limiter.release('k', 2)
    expect(limiter.retryAfter('k', 3)).toBe(0)
    limiter.release('k', 1)
    expect(limiter.retryAfter('k', 3)).toBe(0)
  })

  test('a key whose events are all taken back is forgotten', () => {
    const limiter = slidingWindow({ limit: 2, windowMs: 10 * MINUTE, maxKeys: 200_000 })
    const keys = Array.from({ length: 100_000 }, (_, i) => `released${i}`)
    const { added, held } = heldAfter(
      () => keys.forEach((key) => limiter.record(key, 1)),
      () => keys.forEach((key) => limiter.release(key, 1)),
    )
    expect(added).toBeGreaterThan(2_000_000)
    expect(held).toBeLessThan(added / 4)
  })

  test('a flood of distinct keys never holds more than maxKeys, evicting the stalest', () => {
    const limiter = slidingWindow({ limit: 1, windowMs: 10 * MINUTE, maxKeys: 1000 })
    limiter.record('victim', 0)
    for (let i = 0; i < 999; i++) limiter.record(`flood${i}`, 1 + i)
    expect(limiter.retryAfter('victim', 1000)).toBeGreaterThan(0)
    expect(limiter.retryAfter('flood0', 1000)).toBeGreaterThan(0)
    for (let i = 0; i < 5000; i++) limiter.record(`more${i}`, 2000 + i)
    // The stalest went: the first of the flood is free again, the latest still full.
    expect(limiter.retryAfter('more0', 7000)).toBe(0)
    expect(limiter.retryAfter('more4999', 7000)).toBeGreaterThan(0)
    // Only a flood of maxKeys fresh keys within one window can push a live key out.
    expect(limiter.retryAfter('victim', 60_000)).toBe(0)
  })

  test('expired keys are dropped as new events arrive, so an idle flood does not stay in memory', () => {
    const limiter = slidingWindow({ limit: 5, windowMs: MINUTE, maxKeys: 200_000 })
    const { added, held } = heldAfter(
      () => {
        for (let i = 0; i < 100_000; i++) limiter.record(`k${i}`, i % 1000)
      },
      () => limiter.record('late', 1000 + MINUTE),
    )
    expect(added).toBeGreaterThan(2_000_000)
    expect(held).toBeLessThan(added / 4)
  })

  test('a key keeps at most `limit` timestamps however many events it gets', () => {
    const limiter = slidingWindow({ limit: 2, windowMs: MINUTE, maxKeys: 10 })
    for (let i = 0; i < 100; i++) limiter.record('k', i)
    limiter.release('k', 99)
    limiter.release('k', 98)
    // Only the last two were kept: with both taken back the key is empty, not 98 events deep.
    expect(limiter.retryAfter('k', 100)).toBe(0)
    limiter.record('k', 100)
    expect(limiter.retryAfter('k', 100)).toBe(0)
  })
})
