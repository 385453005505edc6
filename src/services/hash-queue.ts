import type { HashQueueSettings } from '../config'
import { ServiceUnavailableError } from './errors'

// A slot frees as soon as one hash ends (well under a second): a client told to come back then finds room.
export const RETRY_AFTER_SECONDS = 1

/**
 * A semaphore for argon2id: at most `concurrency` tasks run at once (64 MiB each), up to `maxWaiting` more wait
 * their turn in order, and beyond that a task is refused with ServiceUnavailableError instead of queueing
 * without bound. A finishing task hands its slot straight to the first waiter.
 */
export function createHashQueue({ concurrency, maxWaiting }: HashQueueSettings, refused: () => void = () => {}) {
  let running = 0
  const waiting: (() => void)[] = []

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running < concurrency) running++
    else if (waiting.length < maxWaiting) await new Promise<void>((resolve) => waiting.push(resolve))
    else {
      refused()
      throw new ServiceUnavailableError('Password hashing is saturated', RETRY_AFTER_SECONDS)
    }
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }

  // The load is read by the metrics when scraped (src/metrics.ts).
  return { run, load: () => ({ running, waiting: waiting.length }) }
}

export type HashQueue = ReturnType<typeof createHashQueue>
