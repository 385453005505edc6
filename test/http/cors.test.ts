import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'

describe('CORS policy', () => {
  test('with CORS_ORIGINS=* answers are the same for every origin, so they say nothing about Vary', async () => {
    const { call } = testApp()
    const response = await call('GET', '/api/ping', { headers: { origin: 'https://a.example.com' } })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('vary')).toBeNull()
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  test('with a list, answers vary by Origin and a preflight from an allowed origin is allowed', async () => {
    const { call } = testApp({ corsOrigins: ['https://blog.example.com'] })
    const plain = await call('GET', '/api/ping')
    expect(plain.headers.get('vary')).toBe('Origin')
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = (origin: string) =>
      call('OPTIONS', '/api/users/1', { headers: { origin, 'access-control-request-method': 'PUT' } })
    const allowed = await preflight('https://blog.example.com')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://blog.example.com')
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT')
    expect(allowed.headers.get('access-control-max-age')).toBe('600')
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull()
  })
})
