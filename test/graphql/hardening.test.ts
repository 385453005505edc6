import { describe, expect, test } from 'bun:test'
import { getIntrospectionQuery } from 'graphql'
import { testConfig } from '../helpers'
import { globalId, graphqlApp } from './client'

/** A hostile document is refused while parsing or validating: an error, and no `data` at all (nothing ran). */
async function expectRefused(response: { status: number; body: any }, message: RegExp) {
  expect(response.status).toBe(200)
  expect(response.body.data).toBeUndefined()
  expect(response.body.errors[0].message).toMatch(message)
}

/** After an attack the same server still answers real work. */
async function expectHealthy(harness: ReturnType<typeof graphqlApp>, token: string) {
  expect((await harness.call('GET', '/api/ping')).status).toBe(200)
  expect((await harness.gql('{ me { username } }', { token })).body).toEqual({ data: { me: { username: 'ada' } } })
}

describe('hostile documents', () => {
  test('deep nesting is refused by the depth limit', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const deep = `{ __schema { types { ${'fields { type { '.repeat(40)}name${' } }'.repeat(40)} } } }`
    await expectRefused(await harness.gql(deep, { token: ada.token }), /Query depth limit of 15 exceeded/)
    await expectHealthy(harness, ada.token)
  })

  test('an alias flood is refused', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const flood = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: me { id }`).join(' ')} }`
    await expectRefused(await harness.gql(flood, { token: ada.token }), /Aliases limit of 15 exceeded/)
    await expectHealthy(harness, ada.token)
  })

  test('a huge token count is refused while parsing', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const huge = `{ me { ${'id '.repeat(200_000)}} }` // ~600 kB, under the body limit
    await expectRefused(await harness.gql(huge, { token: ada.token }), /Token limit of 1000 exceeded/)
    await expectHealthy(harness, ada.token)
  })

  test('a directive flood is refused', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const flood = `{ me { id ${'@include(if: true) '.repeat(50)}} }`
    await expectRefused(await harness.gql(flood, { token: ada.token }), /Directives limit of 10 exceeded/)
  })

  test('an expensive selection is refused by the cost limit', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const costly = '{ users(first: 1000) { edges { node { id username email } } pageInfo { hasNextPage } } }'
    await expectRefused(await harness.gql(costly, { token: ada.token }), /Query Cost limit of 5000 exceeded/)
  })

  test('the limits are settings', async () => {
    const harness = graphqlApp({ graphql: { ...testConfig().graphql, maxDepth: 2, maxAliases: 0 } })
    const ada = await harness.signUp('ada')
    await expectRefused(await harness.gql('{ users { edges { node { id } } } }', { token: ada.token }), /depth limit of 2/)
    await expectRefused(await harness.gql('{ me: me { id } }', { token: ada.token }), /Aliases limit of 0/)
  })

  test('GraphiQL’s own introspection query fits the default limits', async () => {
    const { gql } = graphqlApp()
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })
    const response = await gql(query)
    expect(response.body.errors).toBeUndefined()
    expect(response.body.data.__schema.queryType.name).toBe('Query')
  })
})

describe('batching', () => {
  const batch = (size: number) =>
    Array.from({ length: size }, (_, i) => ({ query: `query Q${i} { me { username } }` }))

  test('up to the limit, each operation answers in order', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const response = await harness.call('POST', '/graphql', { body: batch(10), token: ada.token })
    expect(response.status).toBe(200)
    expect(response.body).toHaveLength(10)
    expect(response.body[9]).toEqual({ data: { me: { username: 'ada' } } })
  })

  test('a bigger batch is refused whole before any of it runs', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    const response = await harness.call('POST', '/graphql', { body: batch(1000), token: ada.token })
    expect(response.status).toBe(413)
    expect(response.body.errors[0].message).toBe('Batching is limited to 10 operations per request.')
    await expectHealthy(harness, ada.token)
  })
})

describe('requests that never reach GraphQL', () => {
  test('a body over the limit is refused from its declared length', async () => {
    const { call } = graphqlApp()
    const body = JSON.stringify({ query: `{ ${'a'.repeat(1024 * 1024)} }` })
    const response = await call('POST', '/graphql', { body })
    expect(response.status).toBe(413)
  })

  test.each([
    ['invalid JSON', '{"query": '],
    ['an empty body', ''],
    ['a JSON string', '"{ me { id } }"'],
    ['null', 'null'],
  ])('%s is a 400', async (_, body) => {
    const { call } = graphqlApp()
    const response = await call('POST', '/graphql', { body, headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(400)
    expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST')
  })

  test('a mutation over GET is refused', async () => {
    const { call } = graphqlApp()
    const query = encodeURIComponent('mutation { createToken(username: "a", password: "b") { token } }')
    const response = await call('GET', `/graphql?query=${query}`, { headers: { accept: 'application/graphql-response+json' } })
    expect(response.status).toBe(405)
  })
})

describe('CSRF prevention', () => {
  const form = `query=${encodeURIComponent('mutation { createUser(input: {username: "csrf", email: "c@example.com", password: "x"}) { id } }')}`

  test.each(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x'])(
    'a %s POST, which a foreign page may send without a preflight, is refused and runs nothing',
    async (type) => {
      const { call, sql } = graphqlApp()
      const response = await call('POST', '/graphql', { body: form, headers: { 'content-type': type } })
      expect(response.status).toBe(403)
      expect(response.body.errors[0].extensions.code).toBe('CSRF_PREVENTED')
      expect(await sql('SELECT CAST(count(*) AS integer) AS n FROM users')).toEqual([{ n: 0 }])
    },
  )

  test('the custom header, which only a preflighted page can set, lets a form POST through', async () => {
    const { call } = graphqlApp()
    const response = await call('POST', '/graphql', {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-yoga-csrf': '1' },
    })
    expect(response.status).toBe(200)
    expect(response.body.data.createUser.id).toBe(globalId(1))
  })

  test('a cross-origin preflight gets the CORS answer', async () => {
    const { call } = graphqlApp()
    const response = await call('OPTIONS', '/graphql', {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })
})

describe('introspection off', () => {
  const closed = () => graphqlApp({ graphql: { ...testConfig().graphql, introspection: false } })

  test('__schema and __type are refused', async () => {
    const { gql } = closed()
    const response = await gql('{ __schema { types { name } } }')
    expect(response.body.data).toBeUndefined()
    expect(response.body.errors[0].message).toMatch(/introspection/i)
  })

  test('errors stop suggesting field names', async () => {
    const open = await graphqlApp().gql('{ usr { id } }')
    expect(open.body.errors[0].message).toContain('Did you mean "user"')
    const response = await closed().gql('{ usr { id } }')
    expect(response.body.errors[0].message).not.toMatch(/Did you mean|"user"/)
  })

  test('and there is no playground', async () => {
    const { call } = closed()
    const response = await call('GET', '/graphql', { headers: { accept: 'text/html' } })
    expect(response.status).toBe(406)
    expect(response.text).not.toContain('GraphiQL')
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.body.errors[0].extensions.code).toBe('NOT_ACCEPTABLE')
    expect((await call('GET', '/graphql/assets/graphiql.js')).status).toBe(404)
  })
})
