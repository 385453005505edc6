import { afterEach, beforeEach, describe, expect, spyOn, test, type Mock } from 'bun:test'
import { t } from 'elysia'
import { testApp, testConfig, sqliteOnly } from '../helpers'
import { MSG, badRequest } from '../messages'
import { contractViolations } from './contract'

/** The one error mapper (src/http/errors.ts): what reaches the client is JSON in the tutorial's shape, and no more. */

const SECRET = 'hunter2-Correct-Horse'
const NOT_JSON = badRequest(MSG.notJson)

let logged: Mock<typeof console.error>
beforeEach(() => {
  logged = spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => logged.mockRestore())

describe('nothing submitted or internal is echoed', () => {
  test('an Error thrown in a handler is a 500 without its message or stack, logged instead', async () => {
    const { app, call } = testApp()
    app.get('/api/boom', () => {
      throw new Error(`cannot use password ${SECRET}`)
    })
    const response = await call('GET', '/api/boom')
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toStartWith('application/json')
    expect(response.body).toEqual({ error: 'Internal Server Error' })
    expect(String(logged.mock.calls[0]?.[1] ?? logged.mock.calls[0]?.[0])).toContain(SECRET)
  })

  test('a schema validation failure is a 400 that quotes neither the body nor the schema', async () => {
    const { app, call } = testApp()
    // Elysia's own answer would be the whole failing body, password included, with the expected schema.
    app.post('/api/validated', () => 'ok', { body: t.Object({ password: t.Number() }) })
    const response = await call('POST', '/api/validated', { body: { password: SECRET } })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(badRequest('The request does not match the API contract.'))
  })

  sqliteOnly('a raw SQLite constraint failure is a 500 without the SQLite message', async () => {
    const { call, database } = testApp()
    database.sqlite.run(`CREATE TRIGGER refuse BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'users row ${SECRET}'); END`)
    const response = await call('POST', '/api/users', { body: { username: 'ann', email: 'ann@example.com', password: SECRET } })
    expect(response.status).toBe(500)
    expect(response.body).toEqual({ error: 'Internal Server Error' })
    expect(response.text).not.toContain(SECRET)
    expect(response.text).not.toMatch(/sqlite|constraint/i)
  })

  test.each([
    ['broken JSON', `{"username": "ann", "password": "${SECRET}"`],
    ['invalid fields', JSON.stringify({ username: 'a:b', email: 'nope', password: SECRET })],
    ['a JSON string', JSON.stringify(SECRET)],
  ])('a refused registration (%s) does not echo the password', async (_, body) => {
    const { call } = testApp()
    const response = await call('POST', '/api/users', { body })
    expect(response.status).toBe(400)
    expect(response.text).not.toContain(SECRET)
  })

  test('a refused password change echoes neither password', async () => {
    const { call, signUp } = testApp()
    const ann = await signUp('ann')
    const response = await call('PUT', `/api/users/${ann.id}`, {
      token: ann.token,
      body: { password: `new-${SECRET}`, old_password: `wrong-${SECRET}` },
    })
    expect(response.status).toBe(400)
    expect(response.text).not.toContain(SECRET)
  })
})

describe('a body is read as JSON only when it says it is JSON', () => {
  const VALID = { username: 'ann', email: 'ann@example.com', password: 'secret' }

  test.each(['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'application/xml', ''])(
    'JSON labelled "%s" is "You must post JSON data." and registers no one',
    async (type) => {
      const { call, sql } = testApp()
      const response = await call('POST', '/api/users', { body: JSON.stringify(VALID), headers: { 'content-type': type } })
      expect(response.status).toBe(400)
      expect(response.body).toEqual(NOT_JSON)
      expect(await sql('SELECT CAST(count(*) AS integer) AS n FROM users')).toEqual([{ n: 0 }])
    },
  )

  test.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json'])(
    '"%s" is JSON',
    async (type) => {
      const { call } = testApp()
      const response = await call('POST', '/api/users', { body: JSON.stringify(VALID), headers: { 'content-type': type } })
      expect(response.status).toBe(201)
    },
  )

  test('a password change sent as text/plain changes nothing', async () => {
    const { call, signUp } = testApp()
    const ann = await signUp('ann')
    const response = await call('PUT', `/api/users/${ann.id}`, {
      token: ann.token,
      body: JSON.stringify({ password: 'new', old_password: 'secret' }),
      headers: { 'content-type': 'text/plain' },
    })
    expect(response.body).toEqual(NOT_JSON)
    expect((await call('POST', '/api/tokens', { basic: ['ann', 'secret'] })).status).toBe(200)
  })
})

describe('ids', () => {
  test.each(['%E0%A4%A', '%ED%A0%80', '%'])('an id that does not decode (%s) is 404, like any non-id', async (id) => {
    const { call, signUp } = testApp()
    const ann = await signUp('ann')
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await call(method, `/api/users/${id}`, { token: ann.token, body: method === 'PUT' ? { email: 'x@example.com' } : undefined })
      expect(response.status).toBe(404)
      expect(response.body).toEqual({ error: 'Not Found' })
    }
  })
})

describe('the OpenAPI document lists every status a route answers', () => {
  test('411 and 413 on every operation, since the body limit answers them before any route', async () => {
    const { call } = testApp()
    const doc = (await call('GET', '/swagger/json')).body
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(doc.paths))
      for (const [method, operation] of Object.entries(item))
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['411', '413']))
  })

  test('the brute-force limits answer 429 as documented, on every route that has them', async () => {
    const { call } = testApp({ rateLimits: { ...testConfig().rateLimits, loginMaxFailures: 1, registerMaxPerHour: 1 } })
    const doc = (await call('GET', '/swagger/json')).body
    const documented = async (method: string, path: string, options: Parameters<typeof call>[2]) => {
      const response = await call(method, path, options)
      expect(contractViolations(doc, method, path, response), `${method} ${path} ${response.text}`).toEqual([])
      return response
    }
    expect((await documented('POST', '/api/users', { body: { username: 'ann', email: 'ann@example.com', password: 'secret' } })).status).toBe(201)
    const token = (await documented('POST', '/api/tokens', { basic: ['ann', 'secret'] })).body.token
    const secondRegistration = await documented('POST', '/api/users', { body: { username: 'bob', email: 'bob@example.com', password: 'secret' } })
    expect((await documented('POST', '/api/tokens', { basic: ['ann', 'wrong'] })).status).toBe(401) // the one failure allowed
    const secondFailure = await documented('POST', '/api/tokens', { basic: ['ann', 'wrong'] })
    const guessedChange = await documented('PUT', '/api/users/1', { token, body: { password: 'new', old_password: 'wrong' } })
    for (const answer of [secondRegistration, secondFailure, guessedChange]) {
      expect(answer.status).toBe(429)
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0)
    }
  })
})
