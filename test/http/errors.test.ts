import { describe, expect, spyOn, test } from 'bun:test'
import { createLogger } from '../../src/log'
import { sqliteOnly, testApp } from '../helpers'
import { until } from '../until'

describe('every error is JSON', () => {
  test('an unknown route is 404', async () => {
    const { call } = testApp()
    const response = await call('GET', '/api/nothing-here')
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: 'Not Found' })
  })

  test('a known route with the wrong method is 405 with Allow', async () => {
    const { call } = testApp()
    const users = await call('PATCH', '/api/users/1')
    expect(users.status).toBe(405)
    expect(users.body).toEqual({ error: 'Method Not Allowed' })
    expect(users.headers.get('allow')).toBe('GET, PUT, DELETE')
    const ping = await call('POST', '/api/ping')
    expect(ping.status).toBe(405)
    expect(ping.headers.get('allow')).toBe('GET')
  })

  test('a one-letter Host is routed, answered and logged by the real path (405 + Allow, not a 404 for /ping)', async () => {
    const { app } = testApp({ logLevel: 'info' })
    const lines = spyOn(console, 'log').mockImplementation(() => {})
    try {
      // What Bun builds request.url from on `Host: x`.
      const wrongMethod = await app.handle(new Request('http://x/api/ping', { method: 'PATCH' }))
      expect(wrongMethod.status).toBe(405)
      expect(wrongMethod.headers.get('allow')).toBe('GET')
      expect(await (await app.handle(new Request('http://x/api/ping?q=1'))).json()).toBe('Pong!')
      await until(() => lines.mock.calls.length === 2) // written after the answer
      expect(lines.mock.calls.map(([line]) => String(line).split(' ').slice(2, 5).join(' '))).toEqual([
        'PATCH /api/ping 405',
        'GET /api/ping 200',
      ])
    } finally {
      lines.mockRestore()
    }
  })

  test('a body over MAX_BODY_BYTES is 413', async () => {
    const { call } = testApp({ maxBodyBytes: 1024 })
    const response = await call('POST', '/api/users', { body: { username: 'a', email: 'a@b.cc', password: 'x'.repeat(2000) } })
    expect(response.status).toBe(413)
    expect(response.body).toEqual({ error: 'Payload Too Large' })
  })

  test('an unexpected failure is a 500 whose cause is logged, never sent', async () => {
    const { call, signUp, sql } = testApp()
    const alice = await signUp('alice')
    await sql('DROP TABLE tokens')
    const logged = spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = await call('GET', `/api/users/${alice.id}`, { token: alice.token })
      expect(response.status).toBe(500)
      expect(response.body).toEqual({ error: 'Internal Server Error' })
      expect(response.text).not.toContain('tokens')
      expect(logged).toHaveBeenCalled()
      expect(String(logged.mock.calls[0]?.[0])).toContain('GET /api/users/1 failed')
    } finally {
      logged.mockRestore()
    }
  })
})

describe('the log of an unexpected failure', () => {
  // SQLite's error carries a stack and names the table; Bun's PostgresError has no stack to show.
  sqliteOnly('is one line with the cause and its stack, a few KB at most, whatever the error holds', async () => {
    const { call, signUp, sql } = testApp()
    const alice = await signUp('alice')
    await sql('DROP TABLE tokens')
    const logged = spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(500)
      expect(logged).toHaveBeenCalledTimes(1)
      const args = logged.mock.calls[0]!
      expect(args).toHaveLength(1) // no error object for the console to print with a source excerpt
      const line = String(args[0])
      expect(line).not.toContain('\n')
      expect(line).toMatch(/ ERROR GET \/api\/users\/1 failed .*no such table: tokens.* \| +at /)
      expect(line.length).toBeLessThan(5000)
    } finally {
      logged.mockRestore()
    }
  })

  test('is cut at 4 KB however long the message or deep the causes', () => {
    const logged = spyOn(console, 'error').mockImplementation(() => {})
    try {
      const huge = new Error(' '.repeat(50_000), { cause: new Error('x'.repeat(50_000)) })
      createLogger('error').error('boom', huge)
      expect(String(logged.mock.calls[0]![0]).length).toBeLessThanOrEqual(4200)
    } finally {
      logged.mockRestore()
    }
  })
})

describe('CORS', () => {
  test('every response, errors included, carries Access-Control-Allow-Origin and exposes Location', async () => {
    const { call } = testApp()
    for (const response of [await call('GET', '/api/ping'), await call('GET', '/api/users/1'), await call('GET', '/nope')]) {
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-expose-headers')).toContain('Location')
    }
  })

  test('a preflight is answered and allows the Authorization header', async () => {
    const { call } = testApp()
    const response = await call('OPTIONS', '/api/users', {
      headers: {
        origin: 'http://localhost:8080',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
  })

  test('CORS_ORIGINS as a list allows only those origins', async () => {
    const { call } = testApp({ corsOrigins: ['https://blog.example.com'] })
    const allowed = await call('GET', '/api/ping', { headers: { origin: 'https://blog.example.com' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://blog.example.com')
    const denied = await call('GET', '/api/ping', { headers: { origin: 'https://evil.example.com' } })
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('request log', () => {
  test('one line per request with method, path, status and duration', async () => {
    const { call } = testApp({ logLevel: 'info' })
    const logged = spyOn(console, 'log').mockImplementation(() => {})
    try {
      await call('GET', '/api/users/1')
      // Written once the answer has gone out, after `handle` resolves.
      const requestLine = () =>
        logged.mock.calls
          .map((args) => String(args[0]))
          .some((line) => / INFO GET \/api\/users\/1 401 \d+\.\d+ms request_id=[\w-]+$/.test(line))
      await until(requestLine)
    } finally {
      logged.mockRestore()
    }
  })

  test('LOG_LEVEL=error silences it', async () => {
    const { call } = testApp({ logLevel: 'error' })
    const logged = spyOn(console, 'log').mockImplementation(() => {})
    try {
      await call('GET', '/api/ping')
      await Bun.sleep(5)
      expect(logged).not.toHaveBeenCalled()
    } finally {
      logged.mockRestore()
    }
  })
})
