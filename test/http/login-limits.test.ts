import { describe, expect, test } from 'bun:test'
import { testApp, type CallOptions } from '../helpers'
import { fakeClock, rateLimits } from '../limits'

const login = (username: string, password: string, forwardedFor?: string): CallOptions => ({
  basic: [username, password],
  headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
})

describe('failed logins per username', () => {
  test('past LOGIN_MAX_FAILURES the username gets 429 with Retry-After, even with the right password', async () => {
    const { call, signUp } = testApp()
    await signUp('alice')
    for (let i = 0; i < 10; i++) expect((await call('POST', '/api/tokens', login('alice', 'wrong'))).status).toBe(401)
    const refused = await call('POST', '/api/tokens', login('alice', 'secret'))
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ error: 'Too Many Requests', message: expect.stringMatching(/^Too many failed logins/) })
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(890)
    expect(retryAfter).toBeLessThanOrEqual(900)
    expect(refused.headers.get('cache-control')).toBeNull()
  })

  test('usernames are counted regardless of case, and other users are not locked out', async () => {
    const { call, signUp } = testApp()
    await signUp('alice')
    await signUp('bob')
    for (const name of ['alice', 'ALICE', 'Alice', 'aLiCe', 'alice']) await call('POST', '/api/tokens', login(name, 'wrong'))
    for (const name of ['ALIce', 'alicE', 'ALICE', 'alice', 'Alice']) await call('POST', '/api/tokens', login(name, 'wrong'))
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).status).toBe(429)
    expect((await call('POST', '/api/tokens', login('bob', 'secret'))).status).toBe(200)
    expect((await call('POST', '/api/tokens', login('bob', 'wrong'))).status).toBe(401)
  })

  test('unknown usernames are limited the same way: a 429 tells nothing about who exists', async () => {
    const { call } = testApp()
    for (let i = 0; i < 10; i++) await call('POST', '/api/tokens', login('nobody', 'x'))
    expect((await call('POST', '/api/tokens', login('nobody', 'x'))).status).toBe(429)
  })

  test('Retry-After counts down to the moment the oldest failure leaves the window, which then lets a login in', async () => {
    const clock = fakeClock()
    const { call, signUp } = testApp(rateLimits({ loginWindowSeconds: 900, loginMaxFailures: 3 }), { now: clock.now })
    await signUp('alice')
    await call('POST', '/api/tokens', login('alice', 'wrong'))
    clock.advance(100)
    await call('POST', '/api/tokens', login('alice', 'wrong'))
    await call('POST', '/api/tokens', login('alice', 'wrong'))
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).headers.get('retry-after')).toBe('800')
    clock.advance(799)
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).headers.get('retry-after')).toBe('1')
    clock.advance(1)
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).status).toBe(200)
    // One slot freed, one failure fills it again.
    expect((await call('POST', '/api/tokens', login('alice', 'wrong'))).status).toBe(401)
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).headers.get('retry-after')).toBe('100')
  })

  test('successful logins do not count', async () => {
    const { call, signUp } = testApp(rateLimits({ loginMaxFailures: 3 }))
    await signUp('alice')
    for (let i = 0; i < 10; i++) expect((await call('POST', '/api/tokens', login('alice', 'secret'))).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await call('POST', '/api/tokens', login('alice', 'wrong'))).status).toBe(401)
    expect((await call('POST', '/api/tokens', login('alice', 'wrong'))).status).toBe(429)
  })

  test('a burst of concurrent guesses cannot slip past the limit before the first one fails', async () => {
    const { call, signUp } = testApp()
    await signUp('alice')
    const statuses = await Promise.all(Array.from({ length: 30 }, () => call('POST', '/api/tokens', login('alice', 'wrong'))))
    expect(statuses.filter((response) => response.status === 401)).toHaveLength(10)
    expect(statuses.filter((response) => response.status === 429)).toHaveLength(20)
  })

  test('a request that never tried a password does not count', async () => {
    const { call, signUp } = testApp(rateLimits({ loginMaxFailures: 1 }))
    await signUp('alice')
    for (const authorization of ['Basic !!!', 'Basic ' + btoa('alice'), 'Bearer x'])
      expect((await call('POST', '/api/tokens', { headers: { authorization } })).status).toBe(401)
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).status).toBe(200)
  })
})

describe('password changes', () => {
  test('a wrong old_password counts as a failed login: a stolen token cannot guess its way to the account', async () => {
    const { call, signUp } = testApp(rateLimits({ loginMaxFailures: 3 }))
    const alice = await signUp('alice')
    const change = (old_password: string) =>
      call('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { password: 'new', old_password } })
    expect((await change('guess1')).status).toBe(400)
    expect((await change('guess2')).status).toBe(400)
    expect((await call('POST', '/api/tokens', login('alice', 'guess3'))).status).toBe(401)
    const refused = await change('secret')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await call('POST', '/api/tokens', login('alice', 'secret'))).status).toBe(429)
    // Changes that prove no password go on.
    expect((await call('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { email: 'new@example.com' } })).status).toBe(200)
  })

  test('a change that never checked the password does not count', async () => {
    const { call, signUp } = testApp(rateLimits({ loginMaxFailures: 1 }))
    const alice = await signUp('alice')
    const bob = await signUp('bob')
    const put = (id: number, body: object) => call('PUT', `/api/users/${id}`, { token: alice.token, body })
    expect((await put(alice.id, { password: 'new' })).status).toBe(400) // no old_password
    expect((await put(bob.id, { password: 'new', old_password: 'secret' })).status).toBe(403)
    expect((await put(alice.id, { password: 'new', old_password: 'secret' })).status).toBe(200)
    expect((await call('POST', '/api/tokens', login('alice', 'new'))).status).toBe(200)
  })
})

describe('failed logins per client address', () => {
  test('past LOGIN_MAX_FAILURES_PER_ADDRESS every login from that address is 429; other addresses go on', async () => {
    const { call, signUp } = testApp({ ...rateLimits({ loginMaxFailuresPerAddress: 5 }), trustProxyHops: 1 })
    await signUp('alice')
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/tokens', login(`user${i}`, 'x', '203.0.113.7'))).status).toBe(401)
    const refused = await call('POST', '/api/tokens', login('alice', 'secret', '203.0.113.7'))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    // What the client writes left of the proxy's entry changes nothing.
    expect((await call('POST', '/api/tokens', login('alice', 'secret', '198.51.100.1, 203.0.113.7'))).status).toBe(429)
    expect((await call('POST', '/api/tokens', login('alice', 'secret', '203.0.113.8'))).status).toBe(200)
  })

  test('without TRUST_PROXY, X-Forwarded-For is ignored: varying it does not reset the count', async () => {
    const { call } = testApp(rateLimits({ loginMaxFailuresPerAddress: 5 }))
    for (let i = 0; i < 5; i++) await call('POST', '/api/tokens', login(`user${i}`, 'x', `203.0.113.${i}`))
    expect((await call('POST', '/api/tokens', login('someone', 'x', '198.51.100.1'))).status).toBe(429)
  })
})

describe('registrations per client address', () => {
  const user = (name: string) => ({ username: name, email: `${name}@example.com`, password: 'secret' })

  test('past REGISTER_MAX_PER_HOUR from one address: 429 with Retry-After, invalid attempts included', async () => {
    const clock = fakeClock()
    const { call } = testApp({ ...rateLimits({ registerMaxPerHour: 3 }), trustProxyHops: 1 }, { now: clock.now })
    const from = (address: string) => ({ 'x-forwarded-for': address })
    expect((await call('POST', '/api/users', { body: user('a'), headers: from('203.0.113.7') })).status).toBe(201)
    expect((await call('POST', '/api/users', { body: user('a'), headers: from('203.0.113.7') })).status).toBe(400)
    clock.advance(600)
    expect((await call('POST', '/api/users', { body: user('b'), headers: from('203.0.113.7') })).status).toBe(201)
    const refused = await call('POST', '/api/users', { body: user('c'), headers: from('203.0.113.7') })
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ error: 'Too Many Requests', message: expect.stringMatching(/^Too many registrations/) })
    expect(refused.headers.get('retry-after')).toBe('3000')
    expect((await call('POST', '/api/users', { body: user('c'), headers: from('203.0.113.8') })).status).toBe(201)
    clock.advance(3000)
    expect((await call('POST', '/api/users', { body: user('d'), headers: from('203.0.113.7') })).status).toBe(201)
  })

  test('REGISTER_MAX_PER_HOUR=0 turns the limit off', async () => {
    const { call } = testApp(rateLimits({ registerMaxPerHour: 0 }))
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/users', { body: user(`u${i}`) })).status).toBe(201)
  })
})

describe('on a listening server', () => {
  test('the socket address is the key, for REST and GraphQL alike', async () => {
    const { app, call, signUp } = testApp(rateLimits({ loginMaxFailuresPerAddress: 2 }))
    await signUp('alice')
    app.listen({ port: 0, hostname: '127.0.0.1' })
    try {
      const origin = `http://127.0.0.1:${app.server!.port}`
      const rest = (password: string) =>
        fetch(`${origin}/api/tokens`, { method: 'POST', headers: { authorization: `Basic ${btoa(`alice:${password}`)}` } })
      const graphql = (password: string) =>
        fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `mutation { createToken(username: "alice", password: "${password}") { token } }` }),
        }).then((response) => response.json() as Promise<{ errors?: { extensions: { code: string } }[] }>)
      // Requests without a socket (app.handle) fill their own shared key, not 127.0.0.1's.
      await call('POST', '/api/tokens', { basic: ['alice', 'x'] })
      await call('POST', '/api/tokens', { basic: ['alice', 'y'] })
      expect((await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).status).toBe(429)
      expect((await rest('secret')).status).toBe(200)
      expect((await graphql('secret')).errors).toBeUndefined()
      // One failure on each face fills 127.0.0.1's two slots, for both faces.
      expect((await rest('wrong')).status).toBe(401)
      expect((await graphql('wrong')).errors![0]!.extensions.code).toBe('UNAUTHENTICATED')
      expect((await rest('secret')).status).toBe(429)
      expect((await graphql('secret')).errors![0]!.extensions.code).toBe('RATE_LIMITED')
    } finally {
      await app.stop(true)
    }
  })
})
