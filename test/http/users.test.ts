import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'
import { MSG, badRequest, userBody } from '../messages'

const VALID = { username: 'alice', email: 'alice@example.com', password: 'secret' }

describe('POST /api/users validation', () => {
  test.each([
    ['no body', undefined],
    ['unparsable JSON', '{"username": '],
    ['an empty object', {}],
    ['a JSON array', [VALID]],
    ['a JSON string', '"alice"'],
    ['null', 'null'],
  ])('%s -> "You must post JSON data."', async (_, body) => {
    const { call } = testApp()
    const response = await call('POST', '/api/users', { body })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(badRequest(MSG.notJson))
  })

  test('a form-encoded body is not JSON', async () => {
    const { call } = testApp()
    const response = await call('POST', '/api/users', {
      body: 'username=a&email=a%40b.cc&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(response.status).toBe(400)
    expect(response.body.message).toBe(MSG.notJson)
  })

  test('every missing field gets its own message', async () => {
    const { call } = testApp()
    const response = await call('POST', '/api/users', { body: { other: 1 } })
    expect(response.status).toBe(400)
    expect(response.body).toEqual({
      error: 'Bad Request',
      message: { username: MSG.username, email: MSG.email, password: MSG.password },
    })
  })

  test.each([
    ['username', 42, MSG.username],
    ['username', '', MSG.username],
    ['username', '   ', MSG.username],
    ['username', 'a'.repeat(65), MSG.username],
    ['username', 'has:colon', MSG.username],
    ['username', 'nul\u0000byte', MSG.username],
    ['username', ['alice'], MSG.username],
    ['email', 'not-an-email', MSG.email],
    ['email', 'a@b.cc\n', MSG.email],
    ['email', `${'a'.repeat(115)}@b.com`, MSG.email],
    ['email', { address: 'a@b.cc' }, MSG.email],
    ['password', '', MSG.password],
    ['password', 123456, MSG.password],
    ['password', 'x'.repeat(1025), MSG.password],
    ['password', 'é'.repeat(513), MSG.password], // 1,026 bytes in UTF-8
  ])('%s = %p is refused', async (field, value, message) => {
    const { call } = testApp()
    const response = await call('POST', '/api/users', { body: { ...VALID, [field]: value } })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(badRequest({ [field]: message }))
  })

  test('limits are inclusive: 64-char username, 120-char email, 1,024-byte password', async () => {
    const { call } = testApp()
    const body = { username: 'u'.repeat(64), email: `${'e'.repeat(114)}@b.com`, password: 'p'.repeat(1024) }
    const response = await call('POST', '/api/users', { body })
    expect(response.status).toBe(201)
  })

  test('usernames and emails are unique regardless of case', async () => {
    const { call } = testApp()
    expect((await call('POST', '/api/users', { body: VALID })).status).toBe(201)
    const response = await call('POST', '/api/users', {
      body: { username: 'ALICE', email: 'Alice@Example.com', password: 'x' },
    })
    expect(response.status).toBe(400)
    expect(response.body.message).toEqual({ username: MSG.usernameTaken, email: MSG.emailTaken })
  })

  test('two concurrent registrations of one name: one 201 and one 400, never a 500', async () => {
    const { call } = testApp()
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', '/api/users', { body: { username: 'race', email: `race${i}@example.com`, password: 'x' } }),
      ),
    )
    const statuses = results.map((r) => r.status).sort()
    expect(statuses).toEqual([201, 400, 400, 400, 400, 400, 400, 400])
    for (const r of results.filter((r) => r.status === 400)) expect(r.body.message).toEqual({ username: MSG.usernameTaken })
  })

  test('properties a client may not set are ignored', async () => {
    const { call, sql } = testApp()
    const response = await call('POST', '/api/users', {
      body: { ...VALID, id: 99, password_hash: 'x', passwordHash: 'x', created_at: 0 },
    })
    expect(response.status).toBe(201)
    expect(response.body.id).toBe(1)
    const [row] = await sql<{ password_hash: string; created_at: unknown }>('SELECT password_hash, created_at FROM users WHERE id = 1')
    expect(row!.password_hash).toStartWith('$argon2id$')
    expect(new Date(row!.created_at as number).getTime()).toBeGreaterThan(0)
  })

  test('the password is stored as an argon2id hash, never as sent', async () => {
    const { call, sql } = testApp()
    await call('POST', '/api/users', { body: VALID })
    const dump = JSON.stringify(await sql('SELECT * FROM users'))
    expect(dump).not.toContain('"secret"')
    expect(dump).toContain('$argon2id$')
  })
})

describe('GET /api/users', () => {
  async function withUsers(count: number) {
    const context = testApp()
    const { token } = await context.signUp('user1')
    for (let i = 2; i <= count; i++)
      await context.sql(`INSERT INTO users (username, email, password_hash) VALUES ('user${i}', 'user${i}@example.com', 'x')`)
    return { ...context, token }
  }

  test('needs a bearer token', async () => {
    const { call } = testApp()
    const response = await call('GET', '/api/users')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="Authentication Required"')
  })

  test('pages through users in id order with next and prev links', async () => {
    const { call, token } = await withUsers(25)
    const second = await call('GET', '/api/users?page=2&per_page=10', { token })
    expect(second.status).toBe(200)
    expect(second.body._meta).toEqual({ page: 2, per_page: 10, total_pages: 3, total_items: 25 })
    expect(second.body.items.map((u: { id: number }) => u.id)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    expect(second.body._links).toEqual({
      self: '/api/users?page=2&per_page=10',
      next: '/api/users?page=3&per_page=10',
      prev: '/api/users?page=1&per_page=10',
    })
    const last = await call('GET', '/api/users?page=3&per_page=10', { token })
    expect(last.body.items).toHaveLength(5)
    expect(last.body._links.next).toBeNull()
    expect(last.body.items[0]).not.toHaveProperty('email')
  })

  test('per_page is capped at 100', async () => {
    const { call, token } = await withUsers(120)
    const response = await call('GET', '/api/users?per_page=1000', { token })
    expect(response.body._meta.per_page).toBe(100)
    expect(response.body.items).toHaveLength(100)
  })

  test.each(['page=abc&per_page=xyz', 'page=-1&per_page=0', 'page=1.5&per_page=-3', 'page=&per_page=', 'page[]=1'])(
    'nonsense values (%s) fall back to the defaults',
    async (query) => {
      const { call, token } = await withUsers(3)
      const response = await call('GET', `/api/users?${query}`, { token })
      expect(response.status).toBe(200)
      expect(response.body._meta).toMatchObject({ page: 1, per_page: 10 })
    },
  )

  test('a page past the end is an empty 200', async () => {
    const { call, token } = await withUsers(3)
    const response = await call('GET', '/api/users?page=9', { token })
    expect(response.status).toBe(200)
    expect(response.body.items).toEqual([])
    expect(response.body._meta).toEqual({ page: 9, per_page: 10, total_pages: 1, total_items: 3 })
    expect(response.body._links.next).toBeNull()
  })
})

describe('GET /api/users/:id', () => {
  test('email is shown only on your own record', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const bob = await signUp('bob')
    const own = await call('GET', `/api/users/${alice.id}`, { token: alice.token })
    expect(own.body).toEqual(userBody(alice.id, 'alice', { email: 'alice@example.com' }))
    const other = await call('GET', `/api/users/${alice.id}`, { token: bob.token })
    expect(other.body).toEqual(userBody(alice.id, 'alice'))
  })

  test('a value stored before a rule (an email over 64 characters) still reads as stored: the record is never a 500', async () => {
    const { call, signUp, sql } = testApp()
    const ann = await signUp('ann')
    const email = `${'x'.repeat(130)}@example.com`
    await sql(`UPDATE users SET email = '${email}' WHERE id = ${ann.id}`)
    const response = await call('GET', `/api/users/${ann.id}`, { token: ann.token })
    expect(response.status).toBe(200)
    expect(response.body.email).toBe(email)
  })

  test.each(['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', '%20'])('id %p is a JSON 404', async (id) => {
    const { call, signUp } = testApp()
    const { token } = await signUp('alice')
    const response = await call('GET', `/api/users/${id}`, { token })
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: 'Not Found' })
  })
})

describe('PUT /api/users/:id', () => {
  test('only the user themself: 403 for someone else, 404 for nobody', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const bob = await signUp('bob')
    const forbidden = await call('PUT', `/api/users/${alice.id}`, { token: bob.token, body: { username: 'mallory' } })
    expect(forbidden.status).toBe(403)
    expect(forbidden.body).toEqual({ error: 'Forbidden' })
    const missing = await call('PUT', '/api/users/999', { token: bob.token, body: { username: 'x' } })
    expect(missing.status).toBe(404)
  })

  test('validates like the tutorial, with the same messages', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    await signUp('bob')
    const put = (body: unknown) => call('PUT', `/api/users/${alice.id}`, { token: alice.token, body })
    expect((await put({})).body.message).toBe(MSG.notJson)
    expect((await put('{oops')).body.message).toBe(MSG.notJson)
    expect((await put({ username: '' })).body.message).toEqual({ username: MSG.username })
    expect((await put({ email: 'nope' })).body.message).toEqual({ email: MSG.email })
    expect((await put({ username: 'BOB', email: 'bob@example.com' })).body.message).toEqual({
      username: MSG.usernameTaken,
      email: MSG.emailTaken,
    })
    const renamed = await put({ username: 'Alice', email: 'ALICE@example.com' })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ username: 'Alice', email: 'ALICE@example.com' })
  })

  test('a password change needs the right old_password and revokes every token', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const second = (await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).body.token
    const put = (body: unknown) => call('PUT', `/api/users/${alice.id}`, { token: alice.token, body })

    const missing = await put({ password: 'new-secret' })
    expect(missing.status).toBe(400)
    expect(missing.body.message).toEqual({ old_password: 'Please provide your current password to change it.' })
    const wrong = await put({ password: 'new-secret', old_password: 'guess' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.message).toEqual({ old_password: 'Your current password is incorrect.' })
    expect((await call('POST', '/api/tokens', { basic: ['alice', 'new-secret'] })).status).toBe(401)

    const changed = await put({ password: 'new-secret', old_password: 'secret' })
    expect(changed.status).toBe(200)
    expect(changed.body).not.toHaveProperty('password')
    for (const token of [alice.token, second])
      expect((await call('GET', `/api/users/${alice.id}`, { token })).status).toBe(401)
    expect((await call('POST', '/api/tokens', { basic: ['alice', 'secret'] })).status).toBe(401)
    expect((await call('POST', '/api/tokens', { basic: ['alice', 'new-secret'] })).status).toBe(200)
  })

  test('an update without a password keeps the sessions', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    await call('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { email: 'new@example.com' } })
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(200)
  })
})

describe('DELETE /api/users/:id', () => {
  test('only the user themself; their tokens die with them', async () => {
    const { call, signUp, sql } = testApp()
    const alice = await signUp('alice')
    const bob = await signUp('bob')
    expect((await call('DELETE', `/api/users/${alice.id}`, { token: bob.token })).status).toBe(403)
    const deleted = await call('DELETE', `/api/users/${alice.id}`, { token: alice.token })
    expect(deleted.status).toBe(204)
    expect(deleted.text).toBe('')
    expect((await call('GET', `/api/users/${alice.id}`, { token: bob.token })).status).toBe(404)
    expect((await call('GET', '/api/users', { token: alice.token })).status).toBe(401)
    expect(await sql('SELECT CAST(count(*) AS integer) AS n FROM tokens WHERE user_id = ?', alice.id)).toEqual([{ n: 0 }])
  })
})
