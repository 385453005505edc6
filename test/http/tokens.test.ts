import { describe, expect, test } from 'bun:test'
import { storeOf } from '../../src/app'
import { createServices } from '../../src/services'
import { digestToken } from '../../src/services/tokens'
import { testApp, testConfig } from '../helpers'

describe('POST /api/tokens', () => {
  test('every login issues a fresh 256-bit token expiring after TOKEN_TTL_SECONDS', async () => {
    const { call, signUp } = testApp({ tokenTtlSeconds: 600 })
    await signUp('alice')
    const before = Date.now()
    const first = await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })
    const second = await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })
    expect(first.status).toBe(200)
    expect(first.headers.get('cache-control')).toBe('no-store')
    expect(first.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(second.body.token).not.toBe(first.body.token)
    const expiresAt = Date.parse(first.body.expires_at)
    expect(first.body.expires_at).toBe(new Date(expiresAt).toISOString())
    expect(expiresAt - before).toBeGreaterThanOrEqual(600_000 - 1000)
    expect(expiresAt - before).toBeLessThanOrEqual(600_000 + 1000)
  })

  test('several sessions live side by side', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const other = (await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).body.token
    await call('DELETE', '/api/tokens', { token: other })
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(200)
    expect((await call('GET', `/api/users/${alice.id}`, { token: other })).status).toBe(401)
  })

  test('only the SHA-256 of a token is stored', async () => {
    const { call, signUp, sql } = testApp()
    await signUp('alice')
    const { token } = (await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).body
    const rows = await sql<{ token_hash: string }>('SELECT token_hash FROM tokens')
    expect(rows.map((row) => row.token_hash)).toContain(digestToken(token))
    expect(JSON.stringify(rows)).not.toContain(token)
  })

  test('the username is matched regardless of case; a password may contain ":"', async () => {
    const { call } = testApp()
    await call('POST', '/api/users', { body: { username: 'Alice', email: 'a@example.com', password: 'pa:ss' } })
    expect((await call('POST', '/api/tokens', { basic: ['alice', 'pa:ss'] })).status).toBe(200)
  })

  test.each([
    ['an unknown user', 'Basic ' + btoa('nobody:secret')],
    ['a wrong password', 'Basic ' + btoa('alice:wrong')],
    ['no colon', 'Basic ' + btoa('alice')],
    ['an empty username', 'Basic ' + btoa(':secret')],
    ['garbage base64', 'Basic !!!'],
    ['another scheme', 'Digest username="alice"'],
    ['a bearer token', 'Bearer abc'],
  ])('%s answers 401 with the Basic challenge, alike', async (_, authorization) => {
    const { call, signUp } = testApp()
    await signUp('alice')
    const response = await call('POST', '/api/tokens', { headers: { authorization } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="Authentication Required"')
    expect(response.body).toEqual({ error: 'Unauthorized' })
  })
})

describe('bearer authentication', () => {
  test('the scheme is matched case-insensitively', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const response = await call('GET', `/api/users/${alice.id}`, { headers: { authorization: `bEaReR ${alice.token}` } })
    expect(response.status).toBe(200)
  })

  test.each([
    ['malformed', 'Bearer not-a-token'],
    ['empty', 'Bearer '],
    ['well-formed but unknown', `Bearer ${'A'.repeat(43)}`],
    ['two tokens', 'Bearer a b'],
    ['basic credentials', 'Basic ' + btoa('alice:secret')],
  ])('a %s token is 401 with the Bearer challenge', async (_, authorization) => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const response = await call('GET', `/api/users/${alice.id}`, { headers: { authorization } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="Authentication Required"')
  })

  test('a token is never taken from the URL', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    for (const query of [`token=${alice.token}`, `access_token=${alice.token}`])
      expect((await call('GET', `/api/users/${alice.id}?${query}`)).status).toBe(401)
  })

  test('an expired token is refused, and pruning removes it', async () => {
    const { database, call, signUp, sql, setTokenExpiry } = testApp()
    const alice = await signUp('alice')
    await setTokenExpiry(Date.now() - 1)
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(401)
    const count = async () => (await sql<{ n: number }>('SELECT CAST(count(*) AS integer) AS n FROM tokens'))[0]!.n
    expect(await count()).toBe(1)
    expect(await createServices(storeOf(database), testConfig()).tokens.pruneExpired()).toBe(1)
    expect(await count()).toBe(0)
  })
})

describe('DELETE /api/tokens', () => {
  test('needs a token; revoking kills only that token at once', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const unauthenticated = await call('DELETE', '/api/tokens')
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer realm="Authentication Required"')
    expect((await call('DELETE', '/api/tokens', { token: alice.token })).status).toBe(204)
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(401)
  })
})
