import { describe, expect, test } from 'bun:test'
import { storeOf } from '../../src/app'
import type { DeferredWrites as Batch, Store } from '../../src/db/store'
import { createDeferredWrites, FLUSH_AFTER_MS } from '../../src/services/deferred-writes'
import { testApp } from '../helpers'

/** A store that records each batch, and fails while `failing` is set. */
function recordingStore() {
  const batches: { views: [number, number][]; seen: [number, number][] }[] = []
  let arrived: (() => void) | undefined
  const state = { failing: false }
  const store = {
    applyDeferred: async (batch: Batch) => {
      if (state.failing) throw new Error('database down')
      batches.push({ views: [...batch.views], seen: [...batch.seen] })
      arrived?.()
    },
  } as unknown as Store
  const nextBatch = () => new Promise<void>((resolve) => (arrived = resolve))
  return { store, batches, state, nextBatch }
}

describe('deferred writes', () => {
  test('views are counted in memory and written as one batch within a second of the first', async () => {
    const { store, batches, nextBatch } = recordingStore()
    const deferred = createDeferredWrites(store)
    const started = performance.now()
    const written = nextBatch()
    for (const id of [1, 2, 1, 1]) deferred.view(id)
    expect(deferred.pendingViews(1)).toBe(3)
    expect(batches).toEqual([])
    await written
    expect(performance.now() - started).toBeLessThan(FLUSH_AFTER_MS + 500)
    expect(batches).toEqual([{ views: [[1, 3], [2, 1]], seen: [] }])
    expect(deferred.pendingViews(1)).toBe(0)
  })

  test('a failed batch is kept and written with the next one: nothing counted is lost', async () => {
    const { store, batches, state } = recordingStore()
    const errors: unknown[] = []
    const deferred = createDeferredWrites(store, { onError: (error) => errors.push(error) })
    state.failing = true
    deferred.view(7)
    await deferred.flush()
    expect(errors).toHaveLength(1)
    expect(deferred.pendingViews(7)).toBe(1)
    deferred.view(7)
    state.failing = false
    await deferred.stop()
    expect(batches).toEqual([{ views: [[7, 2]], seen: [] }])
  })

  test('a user is queued as seen at most once a minute', async () => {
    const { store, batches } = recordingStore()
    let now = 1_000_000
    const deferred = createDeferredWrites(store, { now: () => now })
    const user = { id: 3, lastSeen: now - 120_000 } as never
    deferred.seen(user)
    now += 30_000
    deferred.seen(user)
    await deferred.flush()
    now += 31_000
    deferred.seen(user)
    await deferred.flush()
    expect(batches.map((batch) => batch.seen)).toEqual([[[3, 1_000_000]], [[3, 1_061_000]]])
  })

  test('replicas’ batches add up on one database', async () => {
    const { app, call, signUp, database } = testApp()
    const alice = await signUp('alice')
    await call('POST', '/api/posts', { token: alice.token, body: { title: 't', body: 'b' } })
    // Two more services over the same database, as two more replicas would be.
    const others = [createDeferredWrites(storeOf(database)), createDeferredWrites(storeOf(database))]
    for (let n = 0; n < 5; n++) await call('GET', '/api/posts/1')
    for (const other of others) for (let n = 0; n < 4; n++) other.view(1)
    await Promise.all([app.store.deferredWrites.flush(), ...others.map((other) => other.flush())])
    expect((await call('GET', '/api/posts/1')).body.views).toBe(5 + 8 + 1)
  })
})
