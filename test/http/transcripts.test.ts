/**
 * The tutorial's HTTPie session replayed against madblog: same statuses, headers and bodies. Where madblog is
 * stricter by design (bearer auth on every read, self-only updates) the request carries what it now needs.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'
import { userBody as user } from '../messages'

const { call } = testApp()
const TUTORIAL_USERS = ['alice', 'bob', 'madman', 'zhangsan', 'lisi', 'wangwu']
let madmanToken: string
let lisiToken: string

beforeAll(async () => {
  for (const username of TUTORIAL_USERS.slice(0, 4)) {
    const created = await call('POST', '/api/users', { body: { username, password: '123', email: `${username}@163.com` } })
    expect(created.status).toBe(201)
  }
})

describe('tutorial transcript', () => {
  test('GET /api/ping answers the JSON string "Pong!"', async () => {
    const response = await call('GET', '/api/ping')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toStartWith('application/json')
    expect(response.text).toBe('"Pong!"')
  })

  test('http POST /api/users username=lisi password=123 email=lisi@163.com', async () => {
    const response = await call('POST', '/api/users', { body: { username: 'lisi', password: '123', email: 'lisi@163.com' } })
    expect(response.status).toBe(201)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('content-type')).toStartWith('application/json')
    expect(response.headers.get('location')).toBe('/api/users/5')
    expect(response.body).toEqual(user(5, 'lisi'))
    await call('POST', '/api/users', { body: { username: 'wangwu', password: '123', email: 'wangwu@163.com' } })
  })

  test('http POST /api/tokens without credentials is 401 with a Basic challenge', async () => {
    const response = await call('POST', '/api/tokens')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="Authentication Required"')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.body).toEqual({ error: 'Unauthorized' })
  })

  test('http --auth madman:123 POST /api/tokens', async () => {
    const response = await call('POST', '/api/tokens', { basic: ['madman', '123'] })
    expect(response.status).toBe(200)
    expect(response.body.token).toBeString()
    madmanToken = response.body.token
    lisiToken = (await call('POST', '/api/tokens', { basic: ['lisi', '123'] })).body.token
  })

  test('http GET /api/users/5 without a token is 401 with a Bearer challenge', async () => {
    const response = await call('GET', '/api/users/5')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="Authentication Required"')
    expect(response.body).toEqual({ error: 'Unauthorized' })
  })

  test('http GET /api/users/5 "Authorization:Bearer <token>"', async () => {
    const response = await call('GET', '/api/users/5', { token: madmanToken })
    expect(response.status).toBe(200)
    expect(response.body).toEqual(user(5, 'lisi'))
  })

  test('http GET /api/users/4', async () => {
    const response = await call('GET', '/api/users/4', { token: madmanToken })
    expect(response.status).toBe(200)
    expect(response.body).toEqual(user(4, 'zhangsan'))
  })

  test('http GET /api/users/7 is a JSON 404', async () => {
    const response = await call('GET', '/api/users/7', { token: madmanToken })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toStartWith('application/json')
    expect(response.body).toEqual({ error: 'Not Found' })
  })

  test('http GET /api/users lists the six users exactly as the tutorial shows', async () => {
    const response = await call('GET', '/api/users', { token: madmanToken })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      _links: { next: null, prev: null, self: '/api/users?page=1&per_page=10' },
      _meta: { page: 1, per_page: 10, total_items: 6, total_pages: 1 },
      items: TUTORIAL_USERS.map((username, index) => user(index + 1, username)),
    })
  })

  test('http PUT /api/users/5 email=madman@gmail.com (by lisi herself)', async () => {
    const response = await call('PUT', '/api/users/5', { token: lisiToken, body: { email: 'madman@gmail.com' } })
    expect(response.status).toBe(200)
    // The tutorial's body, plus the email: the caller is reading their own record.
    expect(response.body).toEqual(user(5, 'lisi', { email: 'madman@gmail.com' }))
  })

  test('http DELETE /api/tokens twice: 204, then the token is dead', async () => {
    const first = await call('DELETE', '/api/tokens', { token: madmanToken })
    expect(first.status).toBe(204)
    expect(first.text).toBe('')
    const second = await call('DELETE', '/api/tokens', { token: madmanToken })
    expect(second.status).toBe(401)
    expect(second.headers.get('www-authenticate')).toBe('Bearer realm="Authentication Required"')
    expect(second.body).toEqual({ error: 'Unauthorized' })
  })
})
