import { describe, expect, spyOn, test } from 'bun:test'
import { testConfig } from '../helpers'
import { rateLimits } from '../limits'
import { codes, globalId, graphqlApp } from './client'

const aliasedLogins = (count: number, password: string) =>
  `mutation { ${Array.from({ length: count }, (_, i) => `a${i}: createToken(username: "ada", password: "${password}") { token }`).join(' ')} }`

describe('GraphQL shares the REST limiters', () => {
  test('20 aliased createToken in one document try one password: the first failure ends the mutation', async () => {
    const { gql, call, signUp } = graphqlApp({ ...rateLimits({ loginMaxFailures: 3 }), graphql: { ...testConfig().graphql, maxAliases: 50 } })
    await signUp('ada')
    const verify = spyOn(Bun.password, 'verify')
    try {
      const response = await gql(aliasedLogins(20, 'wrong'))
      expect(response.body.data).toBeNull()
      expect(codes(response.body)).toEqual(['UNAUTHENTICATED'])
      expect(verify).toHaveBeenCalledTimes(1)
    } finally {
      verify.mockRestore()
    }
    // That one attempt was counted: two more failures reach the limit.
    await call('POST', '/api/tokens', { basic: ['ada', 'x'] })
    await call('POST', '/api/tokens', { basic: ['ada', 'y'] })
    expect((await call('POST', '/api/tokens', { basic: ['ada', 'secret'] })).status).toBe(429)
  })

  test('a batch of 20 createToken operations counts 20 attempts: past the limit they are RATE_LIMITED', async () => {
    const { call, signUp } = graphqlApp({ graphql: { ...testConfig().graphql, maxBatch: 20 } })
    await signUp('ada')
    const batch = Array.from({ length: 20 }, () => ({ query: aliasedLogins(1, 'wrong') }))
    const response = await call('POST', '/graphql', { body: batch })
    expect(response.status).toBe(200)
    const results = response.body as { errors: { extensions: { code: string; retryAfter?: number } }[] }[]
    // The batch runs concurrently: which ten fail first is the database's order (PostgreSQL's may differ).
    expect(results.map((result) => codes(result).join()).sort()).toEqual([
      ...Array(10).fill('RATE_LIMITED'),
      ...Array(10).fill('UNAUTHENTICATED'),
    ])
    const limited = results.find((result) => codes(result)[0] === 'RATE_LIMITED')!.errors[0]!
    expect(limited.extensions.retryAfter).toBeGreaterThan(890)
    expect(limited.extensions.retryAfter).toBeLessThanOrEqual(900)
    // The same counter refuses REST, right password and all.
    expect((await call('POST', '/api/tokens', { basic: ['ada', 'secret'] })).status).toBe(429)
  })

  test('failures on REST refuse createToken, even with the right password', async () => {
    const { gql, call, signUp } = graphqlApp(rateLimits({ loginMaxFailures: 2 }))
    await signUp('ada')
    await call('POST', '/api/tokens', { basic: ['ada', 'x'] })
    await call('POST', '/api/tokens', { basic: ['ADA', 'y'] })
    const response = await gql(aliasedLogins(1, 'secret'))
    expect(response.body.data).toBeNull()
    expect(response.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) })
  })

  test('a wrong oldPassword in updateUser counts with the failed logins', async () => {
    const { gql, signUp } = graphqlApp(rateLimits({ loginMaxFailures: 2 }))
    const ada = await signUp('ada')
    const change = (oldPassword: string) =>
      gql('mutation ($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }', {
        token: ada.token,
        variables: { id: globalId(ada.id), input: { password: 'new', oldPassword } },
      })
    expect(codes((await change('x')).body)).toEqual(['BAD_USER_INPUT'])
    expect(codes((await change('y')).body)).toEqual(['BAD_USER_INPUT'])
    expect(codes((await change('secret')).body)).toEqual(['RATE_LIMITED'])
    expect(codes((await gql(aliasedLogins(1, 'secret'))).body)).toEqual(['RATE_LIMITED'])
  })

  test('createUser counts against the registration limit of the address the proxy names', async () => {
    const { call } = graphqlApp({ ...rateLimits({ registerMaxPerHour: 2 }), trustProxyHops: 1 })
    const create = (name: string, address: string) =>
      call('POST', '/graphql', {
        body: { query: `mutation { createUser(input: {username: "${name}", email: "${name}@example.com", password: "pw"}) { id } }` },
        headers: { 'x-forwarded-for': address },
      })
    expect((await create('a', '203.0.113.7')).body.errors).toBeUndefined()
    expect((await create('b', '203.0.113.7')).body.errors).toBeUndefined()
    const refused = await create('c', '203.0.113.7')
    expect(codes(refused.body)).toEqual(['RATE_LIMITED'])
    expect(refused.body.errors[0].extensions.retryAfter).toBe(3600)
    expect((await create('c', '203.0.113.8')).body.errors).toBeUndefined()
    // REST from the same address is refused too: one limiter.
    const rest = await call('POST', '/api/users', {
      body: { username: 'd', email: 'd@example.com', password: 'pw' },
      headers: { 'x-forwarded-for': '203.0.113.7' },
    })
    expect(rest.status).toBe(429)
  })
})
