import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'

const OPERATIONS = [
  ['get', '/api/ping'],
  ['post', '/api/users'],
  ['get', '/api/users'],
  ['get', '/api/users/{id}'],
  ['put', '/api/users/{id}'],
  ['delete', '/api/users/{id}'],
  ['post', '/api/tokens'],
  ['delete', '/api/tokens'],
  ['post', '/api/posts'],
  ['get', '/api/posts'],
  ['get', '/api/posts/{id}'],
  ['put', '/api/posts/{id}'],
  ['delete', '/api/posts/{id}'],
  ['get', '/api/users/{id}/posts'],
] as const

describe('OpenAPI document', () => {
  test('documents every route with tags, responses (errors included) and security', async () => {
    const { call } = testApp()
    const { status, body: doc } = await call('GET', '/swagger/json')
    expect(status).toBe(200)
    expect(doc.info.title).toBe('madblog API')
    expect(doc.components.securitySchemes).toEqual({
      basic: expect.objectContaining({ type: 'http', scheme: 'basic' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    })
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method} ${path}`),
    )
    expect(documented.sort()).toEqual(OPERATIONS.map(([method, path]) => `${method} ${path}`).sort())
    for (const [method, path] of OPERATIONS) {
      const operation = doc.paths[path][method]
      expect(operation.tags?.length).toBeGreaterThan(0)
      expect(operation.summary).toBeString()
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0)
      for (const response of Object.values(operation.responses) as { description?: string }[])
        expect(response.description).toBeString()
    }
    const register = doc.paths['/api/users'].post
    // Every status a route can answer is listed; test/http/properties.test.ts holds each answer to that.
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['201', '400', '411', '413', '429', '503']))
    expect(register.requestBody.content['application/json'].schema.properties).toHaveProperty('password')
    const read = doc.paths['/api/users/{id}'].get
    expect(Object.keys(read.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '411', '413']))
    expect(read.security).toEqual([{ bearer: [] }])
    const login = doc.paths['/api/tokens'].post
    expect(login.security).toEqual([{ basic: [] }])
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '401', '429', '503']))
    expect(Object.keys(doc.paths['/api/users/{id}'].put.responses)).toEqual(expect.arrayContaining(['429', '503']))
  })

  test('the /swagger page loads its script from madblog, not a CDN', async () => {
    const { call } = testApp()
    const page = await call('GET', '/swagger')
    expect(page.status).toBe(200)
    expect(page.text).toContain('src="/swagger/assets/api-reference.js"')
    expect(page.text).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)\./)
    const script = await call('GET', '/swagger/assets/api-reference.js')
    expect(script.status).toBe(200)
    expect(script.text.length).toBeGreaterThan(100_000)
  })
})
