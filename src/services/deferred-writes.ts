import type { Store } from '../db/store'
import type { User } from '../db/users'

/** last_seen moves at most this often per user. */
export const SEEN_EVERY_MS = 60_000
/** How late a view or a last_seen may land in the database. */
export const FLUSH_AFTER_MS = 1000

export interface DeferredWritesOptions {
  now?: () => number
  /** A batch that failed stays in memory for the next one; this hears why. */
  onError?: (error: unknown) => void
}

/**
 * The writes a read causes, kept off the read's path: post views and users' last_seen, counted in memory and
 * written in one batch at most FLUSH_AFTER_MS after the first of them, and on a clean stop. A crash loses at most
 * that last second of them (README). Views are added to the row (views = views + n), so replicas' batches sum.
 */
export function createDeferredWrites(store: Store, { now = Date.now, onError = () => {} }: DeferredWritesOptions = {}) {
  let views = new Map<number, number>()
  let seen = new Map<number, number>()
  // When each user's last_seen was last queued by this process: a minute's requests queue it once.
  const marked = new Map<number, number>()
  let timer: Timer | undefined
  let flushing: Promise<void> = Promise.resolve()

  const schedule = () => {
    if (timer) return
    timer = setTimeout(() => void flush(), FLUSH_AFTER_MS)
    timer.unref()
  }

  /** Writes everything pending; a failed batch is merged back, so nothing counted is dropped while the process lives. */
  function flush(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    flushing = flushing.then(async () => {
      if (views.size === 0 && seen.size === 0) return
      const batch = { views, seen }
      views = new Map()
      seen = new Map()
      try {
        await store.applyDeferred(batch)
      } catch (error) {
        for (const [id, count] of batch.views) views.set(id, (views.get(id) ?? 0) + count)
        for (const [id, at] of batch.seen) seen.set(id, Math.max(at, seen.get(id) ?? 0))
        onError(error)
        schedule()
      }
      const stale = now() - SEEN_EVERY_MS
      for (const [id, at] of marked) if (at <= stale) marked.delete(id)
    })
    return flushing
  }

  return {
    view(postId: number) {
      views.set(postId, (views.get(postId) ?? 0) + 1)
      schedule()
    },
    /** Views counted here and not yet in the row: what a reader adds to the stored count. */
    pendingViews: (postId: number) => views.get(postId) ?? 0,
    /** An authenticated request by `user`, whose row says when they were last seen. */
    seen(user: User) {
      const at = now()
      const last = Math.max(user.lastSeen ?? 0, marked.get(user.id) ?? 0)
      if (at - last < SEEN_EVERY_MS) return
      marked.set(user.id, at)
      seen.set(user.id, at)
      schedule()
    },
    flush,
    /** The clean stop's last batch. */
    stop: flush,
  }
}

export type DeferredWrites = ReturnType<typeof createDeferredWrites>
