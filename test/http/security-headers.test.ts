import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'

describe('security headers', () => {
  test('every answer is nosniff: pages, JSON, errors, assets, GraphQL', async () => {
    const { call } = testApp()
    const answers = [
      await call('GET', '/api/ping'),
      await call('GET', '/api/users/1'),
      await call('PATCH', '/api/ping'),
      await call('GET', '/nowhere'),
      await call('POST', '/api/users', { body: '{', headers: { 'content-type': 'application/json' } }),
      await call('POST', '/graphql', { body: { query: '{ __typename }' } }),
      await call('GET', '/graphql/assets/graphiql.css'),
      await call('GET', '/swagger/json'),
      await call('GET', '/swagger'),
    ]
    for (const answer of answers) expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
  })

  test.each([
    ['/swagger', {}],
    ['/graphql', { accept: 'text/html' }],
  ])('%s: a policy allowing only its own origin, no framing, no referrer', async (path, headers) => {
    const { call } = testApp()
    const page = await call('GET', path, { headers })
    expect(page.headers.get('content-type')).toStartWith('text/html')
    const policy = Object.fromEntries(
      page.headers.get('content-security-policy')!.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]),
    )
    expect(policy['default-src']).toEqual(["'self'"])
    expect(policy['script-src']![0]).toBe("'self'")
    expect(policy['script-src']!.join(' ')).not.toMatch(/unsafe|\*|https?:/)
    expect(policy['frame-ancestors']).toEqual(["'none'"])
    expect(page.headers.get('x-frame-options')).toBe('DENY')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
  })

  test('the playground holds no inline script, so script-src needs no exception', async () => {
    const { call } = testApp()
    const page = await call('GET', '/graphql', { headers: { accept: 'text/html' } })
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)]
    for (const [, attributes, content] of scripts) expect(attributes!.includes('src=') || attributes!.includes('application/json') || content!.trim() === '').toBe(true)
  })
})
