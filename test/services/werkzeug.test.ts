import { storeOf } from '../../src/app'
import { describe, expect, test } from 'bun:test'
import { createPasswordHasher, isAcceptedHash } from '../../src/services/passwords'
import { isWerkzeugHash, verifyWerkzeug } from '../../src/services/werkzeug'
import { createServices } from '../../src/services'
import { testApp, testConfig } from '../helpers'
import { SCRYPT_HASH_OF_654321, TUTORIAL_HASH_OF_123 } from './werkzeug-vectors'


describe('werkzeug hashes', () => {
  test("the tutorial's pbkdf2 hash of 123 and a werkzeug 3 scrypt hash verify, and nothing else does", async () => {
    expect(await verifyWerkzeug('123', TUTORIAL_HASH_OF_123)).toBe(true)
    expect(await verifyWerkzeug('1234', TUTORIAL_HASH_OF_123)).toBe(false)
    expect(await verifyWerkzeug('654321', SCRYPT_HASH_OF_654321)).toBe(true)
    expect(await verifyWerkzeug('123456', SCRYPT_HASH_OF_654321)).toBe(false)
  })

  test('unknown methods, malformed hashes and costs past the bounds are not accepted', () => {
    const refused = [
      'md5$salt$0123456789abcdef0123456789abcdef',
      'pbkdf2:sha256$RBvmqvkVP61YXGy0$52d3ea1ae76f51d284ba66d2665c8bcfdd069b47cdff7e3211e46d5d98a9d01a', // no iterations
      TUTORIAL_HASH_OF_123.slice(0, -2), // digest cut short
      TUTORIAL_HASH_OF_123.replace(':260000$', ':900000000$'), // a login would stall a worker
      SCRYPT_HASH_OF_654321.replace('scrypt:32768:', 'scrypt:30000:'), // n not a power of two
      SCRYPT_HASH_OF_654321.replace('scrypt:32768:8:', 'scrypt:1048576:8:'), // 1 GiB
      'plain-text-password',
    ]
    for (const hash of refused) {
      expect(isWerkzeugHash(hash)).toBe(false)
      expect(isAcceptedHash(hash)).toBe(false)
    }
  })

  test('argon2 hashes (what madblog writes) are accepted at import too', async () => {
    expect(isAcceptedHash(await Bun.password.hash('x', { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 }))).toBe(true)
  })
})

describe('an imported werkzeug hash at login', () => {
  test('logs in with the old password, and the stored hash becomes argon2id', async () => {
    const { call, sql } = testApp()
    await sql('INSERT INTO users (id, username, email, password_hash) VALUES (7, ?, ?, ?)', 'madman', 'madman@163.com', TUTORIAL_HASH_OF_123)
    expect((await call('POST', '/api/tokens', { basic: ['madman', '1234'] })).status).toBe(401)
    expect((await call('POST', '/api/tokens', { basic: ['madman', '123'] })).status).toBe(200)
    const stored = (await sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = 7'))[0]!.password_hash
    expect(stored).toStartWith('$argon2id$')
    expect(await Bun.password.verify('123', stored)).toBe(true)
    expect((await call('POST', '/api/tokens', { basic: ['madman', '123'] })).status).toBe(200)
  })

  test('its verification takes a turn in the hash queue like argon2id: past the queue, 503', async () => {
    const { call, sql } = testApp({ hashQueue: { concurrency: 1, maxWaiting: 0 } })
    await sql('INSERT INTO users (id, username, email, password_hash) VALUES (7, ?, ?, ?)', 'madman', 'madman@163.com', TUTORIAL_HASH_OF_123)
    const statuses = await Promise.all([1, 2].map(() => call('POST', '/api/tokens', { basic: ['madman', 'wrong'] }).then((answer) => answer.status)))
    expect(statuses.sort()).toEqual([401, 503])
  })

  test('a password changed while the upgrade was being hashed is kept, and that login fails', async () => {
    const real = createPasswordHasher({ memoryCost: 1024, timeCost: 1 })
    let release = () => {}
    let reached = () => {}
    const upgradeReached = new Promise<void>((resolve) => (reached = resolve))
    let held = true
    const hasher = {
      verify: real.verify,
      async hash(password: string) {
        if (held) {
          held = false
          reached()
          await new Promise<void>((resolve) => (release = resolve))
        }
        return real.hash(password)
      },
    }
    const { call, sql, database } = testApp({}, { hasher })
    await sql('INSERT INTO users (id, username, email, password_hash) VALUES (7, ?, ?, ?)', 'madman', 'madman@163.com', TUTORIAL_HASH_OF_123)
    const login = call('POST', '/api/tokens', { basic: ['madman', '123'] })
    await upgradeReached
    // The change an administrator makes meanwhile (and that ends every session).
    await createServices(storeOf(database), testConfig()).users.setPassword(7, 'changed-meanwhile')
    release()
    expect((await login).status).toBe(401)
    const stored = (await sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = 7'))[0]!.password_hash
    expect(await Bun.password.verify('changed-meanwhile', stored)).toBe(true)
    expect(await sql('SELECT CAST(count(*) AS integer) AS n FROM tokens')).toEqual([{ n: 0 }])
  })
})
