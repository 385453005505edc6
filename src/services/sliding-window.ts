export interface SlidingWindowOptions {
  /** Events a key may have within the window. */
  limit: number
  windowMs: number
  /** Keys held at most: a flood of distinct keys evicts the stalest instead of growing the map. */
  maxKeys: number
}

// When live keys alone fill the map, the stalest quarter goes at once, so eviction costs O(1) per event overall.
const KEEP_WHEN_FULL = 0.75

/**
 * Events per key over a sliding window, in memory and bounded: a key keeps at most `limit` timestamps, the map
 * at most `maxKeys` keys. Keys stay in the order of their latest event (re-inserted on each). Once a window,
 * or whenever the map is full, it is rebuilt from its live keys only, dropping the stalest when even those fill
 * it. (Evicting one key at a time from the front would leave deleted slots there that every later eviction has
 * to walk past: quadratic on JavaScriptCore's Map.)
 */
export function slidingWindow({ limit, windowMs, maxKeys }: SlidingWindowOptions) {
  let events = new Map<string, number[]>()
  let compacted = -Infinity

  function compact(now: number) {
    compacted = now
    const live = [...events].filter(([, times]) => times.length > 0 && times[times.length - 1]! > now - windowMs)
    const excess = live.length - Math.floor(maxKeys * KEEP_WHEN_FULL)
    events = new Map(events.size >= maxKeys && excess > 0 ? live.slice(excess) : live)
  }

  /** The key's timestamps still inside the window, oldest first. */
  function live(key: string, now: number): number[] {
    const times = events.get(key)
    if (!times) return []
    const expired = times.findIndex((time) => time > now - windowMs)
    times.splice(0, expired === -1 ? times.length : expired)
    return times
  }

  /** Whole seconds until `key` has a free slot; 0 when it has one now. */
  function retryAfter(key: string, now: number): number {
    const times = live(key, now)
    if (times.length < limit) return 0
    return Math.max(1, Math.ceil((times[times.length - limit]! + windowMs - now) / 1000))
  }

  function record(key: string, now: number): void {
    if ((events.size >= maxKeys && !events.has(key)) || now - compacted >= windowMs) compact(now)
    const times = live(key, now)
    events.delete(key)
    times.push(now)
    if (times.length > limit) times.splice(0, times.length - limit)
    events.set(key, times)
  }

  /** Takes back one event recorded at `at` (a reservation that turned out not to count). */
  function release(key: string, at: number): void {
    const times = events.get(key)
    const index = times?.lastIndexOf(at) ?? -1
    if (index !== -1) times!.splice(index, 1)
    if (times?.length === 0) events.delete(key)
  }

  return { retryAfter, record, release }
}

export type SlidingWindow = ReturnType<typeof slidingWindow>
