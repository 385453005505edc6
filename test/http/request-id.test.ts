import { describe, expect, spyOn, test } from 'bun:test'
import { testApp } from '../helpers'
import { until } from '../until'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('X-Request-Id', () => {
  test('a sane one (1 to 128 visible ASCII characters) is echoed as sent', async () => {
    const { call } = testApp()
    for (const id of ['abc-123', 'x'.repeat(128), '!~"{}[]', 'trace=4bf92f3577b34da6'])
      expect((await call('GET', '/api/ping', { headers: { 'x-request-id': id } })).headers.get('x-request-id')).toBe(id)
  })

  test('anything else is replaced by a new id, as is a missing one; each request gets its own', async () => {
    const { call } = testApp()
    const ids = new Set<string>()
    for (const id of [undefined, 'x'.repeat(129), 'has space', 'tab\there', 'é-accent', ''])
      ids.add((await call('GET', '/api/ping', { headers: id === undefined ? {} : { 'x-request-id': id } })).headers.get('x-request-id')!)
    expect(ids.size).toBe(6)
    for (const id of ids) expect(id).toMatch(UUID)
  })

  test('every answer carries it: errors, refusals before routing, 404 and 405 too', async () => {
    const { call } = testApp({ maxBodyBytes: 1024 })
    const answers = [
      await call('GET', '/api/users/1'),
      await call('GET', '/nowhere'),
      await call('PATCH', '/api/users/1'),
      await call('POST', '/api/users', { body: 'x'.repeat(2000) }),
      await call('POST', '/api/users', { body: { username: '' } }),
      await call('OPTIONS', '/api/users', { headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } }),
      await call('POST', '/graphql', { body: { query: '{ me { id } }' } }),
    ]
    expect(answers.map((answer) => answer.status)).toEqual([401, 404, 405, 413, 400, 204, 200])
    for (const answer of answers) expect(answer.headers.get('x-request-id')).toMatch(UUID)
  })
})

describe('LOG_FORMAT=json', () => {
  test('one JSON object per line: time, level, message, and for a request method, path, route, status, duration, request id', async () => {
    const { call } = testApp({ logLevel: 'info', logFormat: 'json' })
    const logged = spyOn(console, 'log').mockImplementation(() => {})
    try {
      await call('GET', '/api/users/7', { headers: { 'x-request-id': 'req-42' } })
      const line = () => logged.mock.calls.map(([text]) => JSON.parse(String(text))).find((entry) => entry.request_id === 'req-42')
      await until(() => line() !== undefined)
      expect(line()).toEqual({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: 'info',
        message: expect.stringMatching(/^GET \/api\/users\/7 401 \d+\.\dms$/),
        method: 'GET',
        path: '/api/users/7',
        route: '/api/users/:id',
        status: 401,
        duration_ms: expect.any(Number),
        request_id: 'req-42',
      })
    } finally {
      logged.mockRestore()
    }
  })

  /** An app whose password hashing fails (an unexpected error), and every JSON line it logs until `restore`. */
  function failingApp() {
    const broken = { hash: () => Promise.reject(new Error('hasher broke')), verify: () => Promise.resolve(false) }
    const { call } = testApp({ logLevel: 'info', logFormat: 'json' }, { hasher: broken })
    const out = spyOn(console, 'log').mockImplementation(() => {})
    const err = spyOn(console, 'error').mockImplementation(() => {})
    const lines = () => [...out.mock.calls, ...err.mock.calls].map(([text]) => JSON.parse(String(text)))
    return { call, lines, restore: () => (out.mockRestore(), err.mockRestore()) }
  }

  test('every line written while a request is served carries its id: the error behind a 500 and the request line', async () => {
    const { call, lines, restore } = failingApp()
    try {
      const answer = await call('POST', '/api/users', { body: { username: 'ann', email: 'ann@example.com', password: 'pw' }, headers: { 'x-request-id': 'req-500' } })
      expect(answer.status).toBe(500)
      await until(() => lines().some((entry) => entry.level === 'info' && entry.status === 500))
      expect(lines().find((entry) => entry.level === 'error')).toMatchObject({ request_id: 'req-500', detail: expect.stringContaining('Error: hasher broke') })
      expect(lines().find((entry) => entry.level === 'info')).toMatchObject({ request_id: 'req-500', status: 500 })
    } finally {
      restore()
    }
  })

  test('a GraphQL request\'s lines carry its id too, those yoga writes included', async () => {
    const { call, lines, restore } = failingApp()
    try {
      const answer = await call('POST', '/graphql', {
        body: { query: 'mutation { createUser(input: { username: "ann", email: "ann@example.com", password: "pw" }) { id } }' },
        headers: { 'x-request-id': 'req-gql' },
      })
      expect(answer.body.errors[0].message).toBe('Unexpected error.')
      await until(() => lines().some((entry) => entry.level === 'info' && entry.path === '/graphql'))
      expect(lines().find((entry) => entry.level === 'error')).toMatchObject({ request_id: 'req-gql', detail: expect.stringContaining('hasher broke') })
      expect(lines().find((entry) => entry.level === 'info')).toMatchObject({ request_id: 'req-gql', status: 200 })
    } finally {
      restore()
    }
  })
})
