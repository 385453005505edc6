import { describe, expect, test } from 'bun:test'
import { ServiceUnavailableError } from '../../src/services/errors'
import { createHashQueue } from '../../src/services/hash-queue'

/** A task that runs until the test lets it finish. */
function heldTask() {
  let finish!: (value: string) => void
  let started = false
  const task = () => {
    started = true
    return new Promise<string>((resolve) => (finish = resolve))
  }
  return { task, finish: (value: string) => finish(value), started: () => started }
}

describe('createHashQueue', () => {
  test('runs at most `concurrency` tasks; the next waits its turn and runs when a slot frees', async () => {
    const queue = createHashQueue({ concurrency: 1, maxWaiting: 5 })
    const first = heldTask()
    const second = heldTask()
    const one = queue.run(first.task)
    const two = queue.run(second.task)
    await Promise.resolve()
    expect(first.started()).toBe(true)
    expect(second.started()).toBe(false)
    first.finish('a')
    expect(await one).toBe('a')
    expect(second.started()).toBe(true)
    second.finish('b')
    expect(await two).toBe('b')
    // Both slots handed back: the next task starts at once.
    const third = heldTask()
    const three = queue.run(third.task)
    await Promise.resolve()
    expect(third.started()).toBe(true)
    third.finish('c')
    expect(await three).toBe('c')
  })

  test('past the queue bound a task is refused at once, with a Retry-After', async () => {
    const queue = createHashQueue({ concurrency: 2, maxWaiting: 1 })
    const held = [heldTask(), heldTask(), heldTask()]
    const running = held.map((h) => queue.run(h.task))
    const refused = queue.run(async () => 'never')
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError)
    expect(await refused.catch((error: ServiceUnavailableError) => error.retryAfterSeconds)).toBe(1)
    held[0]!.finish('0')
    held[1]!.finish('1')
    expect(await Promise.all(running.slice(0, 2))).toEqual(['0', '1'])
    held[2]!.finish('2') // the waiter got the slot the first one freed
    expect(await running[2]).toBe('2')
  })

  test('a failing task frees its slot too', async () => {
    const queue = createHashQueue({ concurrency: 1, maxWaiting: 0 })
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await queue.run(async () => 'next')).toBe('next')
  })
})
