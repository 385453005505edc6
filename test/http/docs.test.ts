import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'

const OPERATIONS = [
  ['get', '/api/ping'],
  ['get', '/readyz'],
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
    expect(register.requestBody.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/CreateUserBody' } } })
    expect(doc.components.schemas.CreateUserBody.properties).toHaveProperty('password')
    const read = doc.paths['/api/users/{id}'].get
    expect(Object.keys(read.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '411', '413']))
    expect(read.security).toEqual([{ bearer: [] }])
    const login = doc.paths['/api/tokens'].post
    expect(login.security).toEqual([{ basic: [] }])
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '401', '429', '503']))
    expect(Object.keys(doc.paths['/api/users/{id}'].put.responses)).toEqual(expect.arrayContaining(['429', '503']))
  })

  test('is OpenAPI 3.1 with a server, named schemas, integer parameters, JSON only, and each status its headers', async () => {
    const { call } = testApp()
    const { body: doc } = await call('GET', '/swagger/json')
    expect(doc.openapi).toStartWith('3.1.')
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })])
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['User', 'UserList', 'Token', 'CreateUserBody', 'UpdateUserBody', 'BadRequest', 'Unauthorized']),
    )
    // A model used inside another is a reference to it, and no schema keeps Elysia's internal $id.
    expect(doc.components.schemas.UserList.properties.items.items).toEqual({ $ref: '#/components/schemas/User' })
    expect(JSON.stringify(doc)).not.toContain('"$id"')
    const parameters = (path: string, method: string) =>
      Object.fromEntries(doc.paths[path][method].parameters.map((p: { name: string; schema: { type: string } }) => [p.name, p.schema.type]))
    expect(parameters('/api/users', 'get')).toEqual({ page: 'integer', per_page: 'integer' })
    for (const method of ['get', 'put', 'delete']) expect(parameters('/api/users/{id}', method)).toEqual({ id: 'integer' })
    const headerOf = (path: string, method: string, status: string) => Object.keys(doc.paths[path][method].responses[status].headers ?? {})
    expect(headerOf('/api/users', 'post', '201')).toEqual(['Location'])
    expect(headerOf('/api/tokens', 'post', '401')).toEqual(['WWW-Authenticate'])
    expect(headerOf('/api/users', 'post', '429')).toEqual(['Retry-After'])
    expect(headerOf('/api/tokens', 'post', '503')).toEqual(['Retry-After'])
    for (const [method, path] of OPERATIONS) {
      const operation = doc.paths[path][method]
      expect(headerOf(path, method, '405')).toEqual(['Allow'])
      for (const [status, response] of Object.entries(operation.responses) as [string, { content?: object }][])
        if (response.content) expect(Object.keys(response.content), `${method} ${path} ${status}`).toEqual(['application/json'])
      if (operation.requestBody) expect(Object.keys(operation.requestBody.content)).toEqual(['application/json'])
    }
    for (const name of ['Location', 'WWW-Authenticate', 'Retry-After', 'Allow']) expect(doc.components.headers[name].schema).toBeObject()
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
