import { describe, expect, test } from 'bun:test'
import type { PasswordHasher } from '../../src/services/passwords'
import { testApp } from '../helpers'
import { rateLimits } from '../limits'
import { until } from '../until'

/**
 * A stand-in for argon2id ("hash:<password>") whose operations, once `hold()` is on, wait until the test
 * releases them one by one: the test sees exactly how many are running.
 */
function heldHasher() {
  const held: (() => void)[] = []
  let holding = false
  let started = 0
  const run = <T>(value: T) => {
    started++
    return holding ? new Promise<T>((resolve) => held.push(() => resolve(value))) : Promise.resolve(value)
  }
  const hasher: PasswordHasher = {
    hash: (password) => run(`hash:${password}`),
    verify: (password, stored) => run(stored === `hash:${password}`),
  }
  return {
    hasher,
    hold: () => void (holding = true),
    started: () => started,
    releaseOne: () => held.shift()!(),
  }
}

describe('bounded password hashing', () => {
  test('with PASSWORD_HASH_CONCURRENCY=1 the second login waits for the first; reads go on meanwhile', async () => {
    const fake = heldHasher()
    const { call, signUp } = testApp({ hashQueue: { concurrency: 1, maxWaiting: 10 } }, { hasher: fake.hasher })
    const alice = await signUp('alice')
    fake.hold()
    const before = fake.started()
    const first = call('POST', '/api/tokens', { basic: ['alice', 'secret'] })
    const second = call('POST', '/api/tokens', { basic: ['alice', 'secret'] })
    await until(() => fake.started() === before + 1)
    // The second login is queued, not hashing: a read answers all the same.
    const read = await call('GET', `/api/users/${alice.id}`, { token: alice.token })
    expect(read.status).toBe(200)
    expect(fake.started()).toBe(before + 1)
    // Which of the two reached the queue first is the database's timing (PostgreSQL's round trips race).
    fake.releaseOne()
    expect((await Promise.race([first, second])).status).toBe(200)
    await until(() => fake.started() === before + 2)
    fake.releaseOne()
    expect([(await first).status, (await second).status]).toEqual([200, 200])
  })

  test('past PASSWORD_HASH_QUEUE waiting, a login is 503 with Retry-After at once, and is not counted as a failure', async () => {
    const fake = heldHasher()
    const { call, signUp } = testApp(
      { hashQueue: { concurrency: 1, maxWaiting: 1 }, ...rateLimits({ loginMaxFailures: 3 }) },
      { hasher: fake.hasher },
    )
    await signUp('alice')
    fake.hold()
    const before = fake.started()
    const running = call('POST', '/api/tokens', { basic: ['alice', 'wrong'] })
    await until(() => fake.started() === before + 1)
    // One of these takes the only place in the queue; the other is answered at once.
    const queued = [call('POST', '/api/tokens', { basic: ['alice', 'wrong'] }), call('POST', '/api/tokens', { basic: ['alice', 'wrong'] })]
    const refused = await Promise.race(queued)
    expect(refused.status).toBe(503)
    expect(refused.body).toEqual({ error: 'Service Unavailable' })
    expect(refused.headers.get('retry-after')).toBe('1')
    const registration = await call('POST', '/api/users', { body: { username: 'bob', email: 'bob@example.com', password: 'pw' } })
    expect(registration.status).toBe(503)
    const graphql = await call('POST', '/graphql', { body: { query: 'mutation { createToken(username: "alice", password: "x") { token } }' } })
    expect(graphql.body.errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfter: 1 })
    fake.releaseOne()
    expect((await running).status).toBe(401)
    await until(() => fake.started() === before + 2)
    fake.releaseOne()
    expect((await Promise.all(queued)).map((response) => response.status).sort()).toEqual([401, 503])
    // Two failures so far; the refused attempts tried no password.
    const third = call('POST', '/api/tokens', { basic: ['alice', 'wrong'] })
    await until(() => fake.started() === before + 3)
    fake.releaseOne()
    expect((await third).status).toBe(401)
    expect((await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).status).toBe(429)
  })
})
