import type { Config } from '../config'
import type { Store } from '../db/store'
import { createDeferredWrites } from './deferred-writes'
import { createHashQueue } from './hash-queue'
import { createPasswordHasher, queuedHasher, type PasswordHasher } from './passwords'
import { createPostService } from './posts'
import { createRateLimits, type RateLimit } from './rate-limits'
import { createTokenService } from './tokens'
import { createUserService } from './users'

/** What tests may swap in; production uses argon2id and the wall clock. */
export interface ServiceDependencies {
  /** Replaces argon2id (to count or hold hashing); it still takes its turns in the hash queue. */
  hasher?: PasswordHasher
  /** Milliseconds since the epoch, for the rate limiters' windows and last_seen. */
  now?: () => number
  /** Hears why a batch of views and last_seen times could not be written (it is tried again). */
  onDeferredError?: (error: unknown) => void
  /** Told of every refusal (the metrics count them); nothing by default. */
  observer?: ServiceObserver
}

/** What the services report as it happens, for whoever counts it (src/metrics.ts). */
export interface ServiceObserver {
  hashRefused(): void
  rateLimited(limit: RateLimit): void
}

/**
 * The one service layer every edge calls; neither REST nor GraphQL touches the database. Login, registration
 * and password changes pass the rate limits inside, which is why they take the caller's client address.
 */
export function createServices(store: Store, config: Config, dependencies: ServiceDependencies = {}) {
  const hasher = dependencies.hasher ?? createPasswordHasher(config.passwordHashing)
  const { observer } = dependencies
  const hashQueue = createHashQueue(config.hashQueue, observer && (() => observer.hashRefused()))
  const passwords = queuedHasher(hasher, hashQueue)
  const limits = createRateLimits(config.rateLimits, dependencies.now ?? Date.now, store.attempts, observer && ((limit) => observer.rateLimited(limit)))
  const deferred = createDeferredWrites(store, { now: dependencies.now, onError: dependencies.onDeferredError })
  return {
    users: createUserService(store, passwords, limits),
    tokens: createTokenService(store, passwords, limits, config.tokenTtlSeconds, deferred.seen),
    posts: createPostService(store, deferred),
    /** Views and last_seen times on their way to the database: `flush` writes them now, `stop` on the way out. */
    deferred,
    /** How many argon2id tasks run and wait: read by the metrics when scraped. */
    hashing: { load: hashQueue.load },
    /** What the pruner clears on every replica, each run idempotent: expired tokens, and attempts past every window. */
    async pruneExpired() {
      await limits.prune()
      return this.tokens.pruneExpired()
    },
  }
}

export type Services = ReturnType<typeof createServices>
