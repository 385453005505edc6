import { describe, expect, spyOn, test } from 'bun:test'
import { digestToken } from '../../src/services/tokens'
import { globalId } from '../graphql/client'
import { testApp } from '../helpers'
import { until } from '../until'

/** Every header but the request's own id, which tells one answer from another by design. */
const headersOf = (response: { headers: Headers }) => Object.fromEntries([...response.headers].filter(([name]) => name !== 'x-request-id'))

describe('unknown user and wrong password', () => {
  test('answer alike, and each costs exactly one argon2id verify (the unknown user against a dummy hash)', async () => {
    const { call, signUp } = testApp()
    await signUp('alice')
    const verify = spyOn(Bun.password, 'verify')
    const hash = spyOn(Bun.password, 'hash')
    try {
      const wrong = await call('POST', '/api/tokens', { basic: ['alice', 'wrong'] })
      expect(verify).toHaveBeenCalledTimes(1)
      const unknown = await call('POST', '/api/tokens', { basic: ['nobody', 'wrong'] })
      expect(verify).toHaveBeenCalledTimes(2)
      expect(hash).not.toHaveBeenCalled() // the dummy was made up front, not on the first unknown user
      expect(unknown.status).toBe(wrong.status)
      expect(unknown.text).toBe(wrong.text)
      expect(headersOf(unknown)).toEqual(headersOf(wrong))
    } finally {
      verify.mockRestore()
      hash.mockRestore()
    }
  })

  test('alike on GraphQL too', async () => {
    const { call, signUp } = testApp()
    await signUp('alice')
    const login = (username: string) =>
      call('POST', '/graphql', { body: { query: `mutation { createToken(username: "${username}", password: "wrong") { token } }` } })
    const [wrong, unknown] = [await login('alice'), await login('nobody')]
    expect(unknown.text).toBe(wrong.text)
    expect(headersOf(unknown)).toEqual(headersOf(wrong))
  })
})

describe('bearer tokens', () => {
  test.each(['bearer', 'BEARER', 'Bearer'])('the scheme "%s" is accepted, on REST and GraphQL', async (scheme) => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const authorization = `${scheme} ${alice.token}`
    expect((await call('GET', `/api/users/${alice.id}`, { headers: { authorization } })).status).toBe(200)
    const me = await call('POST', '/graphql', { body: { query: '{ me { id } }' }, headers: { authorization } })
    expect(me.body).toEqual({ data: { me: { id: globalId(alice.id) } } })
  })

  test.each(['token', 'access_token'])('a token in ?%s= is never taken, on REST or GraphQL', async (name) => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const query = `${name}=${alice.token}`
    const rest = await call('GET', `/api/users/${alice.id}?${query}`)
    expect(rest.status).toBe(401)
    expect((await call('DELETE', `/api/tokens?${query}`)).status).toBe(401)
    const graphql = await call('POST', `/graphql?${query}`, { body: { query: '{ me { id } }' } })
    expect(graphql.body.errors[0].extensions.code).toBe('UNAUTHENTICATED')
    const viaGet = await call('GET', `/graphql?query=${encodeURIComponent('{ me { id } }')}&${query}`, {
      headers: { accept: 'application/json' },
    })
    expect(viaGet.body.errors[0].extensions.code).toBe('UNAUTHENTICATED')
  })
})

describe('responses that carry a token are not stored', () => {
  test('POST /api/tokens, and every POST /graphql answer, are Cache-Control: no-store', async () => {
    const { call, signUp } = testApp()
    await signUp('alice')
    expect((await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).headers.get('cache-control')).toBe('no-store')
    const login = await call('POST', '/graphql', {
      body: { query: 'mutation { t: createToken(username: "alice", password: "secret") { token } }' },
    })
    expect(login.body.data.t.token).toBeString()
    expect(login.headers.get('cache-control')).toBe('no-store')
    const batch = await call('POST', '/graphql', {
      body: [{ query: '{ __typename }' }, { query: 'mutation { createToken(username: "alice", password: "secret") { token } }' }],
    })
    expect(batch.headers.get('cache-control')).toBe('no-store')
    const refused = await call('POST', '/graphql', { body: { query: '{ me { id } }' } })
    expect(refused.headers.get('cache-control')).toBe('no-store')
  })

  test('GET /graphql answers (queries with a token, and the playground) are no-store too', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const query = await call('GET', `/graphql?query=${encodeURIComponent('{ me { email } }')}`, {
      token: alice.token,
      headers: { accept: 'application/json' },
    })
    expect(query.body.data.me.email).toBe('alice@example.com')
    expect(query.headers.get('cache-control')).toBe('no-store')
    expect((await call('GET', '/graphql', { headers: { accept: 'text/html' } })).headers.get('cache-control')).toBe('no-store')
  })

  test.each(['text/event-stream', 'multipart/mixed'])('createToken answered as %s is no-store too', async (accept) => {
    const { call, signUp } = testApp()
    await signUp('alice')
    const login = await call('POST', '/graphql', {
      body: { query: 'mutation { createToken(username: "alice", password: "secret") { token } }' },
      headers: { accept },
    })
    expect(login.headers.get('content-type')).toStartWith(accept)
    expect(login.text).toContain('"token"')
    expect(login.headers.get('cache-control')).toBe('no-store')
  })
})

describe('token expiry', () => {
  test('TOKEN_TTL_SECONDS sets expires_at, and the expiry is checked on every request, REST and GraphQL', async () => {
    const { call, signUp, sql, setTokenExpiry } = testApp({ tokenTtlSeconds: 60 })
    const alice = await signUp('alice')
    const [stored] = await sql<{ expires_at: number | Date; created_at: number | Date }>('SELECT expires_at, created_at FROM tokens')
    const lifetime = new Date(stored!.expires_at).getTime() - new Date(stored!.created_at).getTime()
    expect(lifetime).toBeGreaterThanOrEqual(59_000)
    expect(lifetime).toBeLessThanOrEqual(61_000)
    const me = () => call('POST', '/graphql', { body: { query: '{ me { id } }' }, token: alice.token })
    await setTokenExpiry(Date.now() + 5_000)
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(200)
    expect((await me()).body.data.me.id).toBe(globalId(alice.id))
    await setTokenExpiry(Date.now())
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(401)
    expect((await me()).body.errors[0].extensions.code).toBe('UNAUTHENTICATED')
  })

  test('app start schedules pruning every minute, which removes expired tokens only; stop cancels it', async () => {
    const { app, call, signUp, sql, setTokenExpiry } = testApp()
    await signUp('alice')
    const live = (await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).body.token as string
    await setTokenExpiry(Date.now() - 1, digestToken(live))
    const schedule = spyOn(globalThis, 'setInterval')
    const cancel = spyOn(globalThis, 'clearInterval')
    try {
      app.listen({ port: 0, hostname: '127.0.0.1' })
      await until(() => schedule.mock.calls.some(([, ms]) => ms === 60_000))
      const index = schedule.mock.calls.findIndex(([, ms]) => ms === 60_000)
      const [prune] = schedule.mock.calls[index]!
      ;(prune as () => void)()
      // Pruning is asynchronous (a PostgreSQL round trip): its result is awaited, not assumed.
      await until(async () => (await sql('SELECT token_hash FROM tokens')).length === 1)
      expect(await sql('SELECT token_hash FROM tokens')).toEqual([{ token_hash: digestToken(live) }])
      await app.stop()
      expect(cancel).toHaveBeenCalledWith(schedule.mock.results[index]!.value)
    } finally {
      schedule.mockRestore()
      cancel.mockRestore()
    }
  })
})
