import { describe, expect, test } from 'bun:test'
import { codes, globalId, graphqlApp, MSG } from './client'

const CREATE = 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id username email } }'
const LOGIN = 'mutation ($username: String!, $password: String!) { createToken(username: $username, password: $password) { token expiresAt } }'
const UPDATE = 'mutation ($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id username email } }'
const DELETE = 'mutation ($id: ID!) { deleteUser(id: $id) }'

describe('createUser', () => {
  test('needs no token and returns the REST id; the email stays private', async () => {
    const { gql, call } = graphqlApp()
    const response = await gql(CREATE, { variables: { input: { username: 'ada', email: 'ada@example.com', password: 'secret' } } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ data: { createUser: { id: globalId(1), username: 'ada', email: null } } })
    const login = await call('POST', '/api/tokens', { basic: ['ada', 'secret'] })
    expect((await call('GET', '/api/users/1', { token: login.body.token })).body.username).toBe('ada')
  })

  test('bad fields are BAD_USER_INPUT with REST’s messages, one per field', async () => {
    const { gql } = graphqlApp()
    const response = await gql(CREATE, { variables: { input: { username: ' ', email: 'nope', password: '' } } })
    expect(response.body.data).toBeNull()
    expect(codes(response.body)).toEqual(['BAD_USER_INPUT'])
    expect(response.body.errors[0].extensions.fields).toEqual({ username: MSG.username, email: MSG.email, password: MSG.password })
  })

  test('taken names, in any case, are BAD_USER_INPUT', async () => {
    const { gql, signUp } = graphqlApp()
    await signUp('ada')
    const response = await gql(CREATE, { variables: { input: { username: 'ADA', email: 'Ada@Example.com', password: 'x' } } })
    expect(response.body.errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: { username: MSG.usernameTaken, email: MSG.emailTaken },
    })
  })

  test('a missing input field is refused by the schema before any service runs', async () => {
    const { gql } = graphqlApp()
    const response = await gql(CREATE, { variables: { input: { username: 'ada', email: 'ada@example.com' } } })
    expect(response.body.data).toBeUndefined()
    expect(response.body.errors[0].message).toContain('password')
  })
})

describe('createToken and revokeToken', () => {
  test('a GraphQL token works on REST, and a REST token works on GraphQL', async () => {
    const { gql, call, signUp } = graphqlApp()
    const ada = await signUp('ada') // ada.token came from REST
    expect((await gql('{ me { username } }', { token: ada.token })).body.data.me.username).toBe('ada')

    const response = await gql(LOGIN, { variables: { username: 'ada', password: 'secret' } })
    const { token, expiresAt } = response.body.data.createToken
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(new Date(expiresAt).toISOString()).toBe(expiresAt)
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(3500_000)
    expect((await call('GET', `/api/users/${ada.id}`, { token })).body.email).toBe('ada@example.com')
  })

  test.each([
    ['a wrong password', 'ada', 'wrong'],
    ['an unknown user', 'nobody', 'secret'],
  ])('%s is UNAUTHENTICATED, the same for both', async (_, username, password) => {
    const { gql, signUp } = graphqlApp()
    await signUp('ada')
    const response = await gql(LOGIN, { variables: { username, password } })
    expect(response.body.data).toBeNull()
    expect(response.body.errors).toHaveLength(1)
    expect(response.body.errors[0]).toMatchObject({ message: 'Invalid username or password', extensions: { code: 'UNAUTHENTICATED' } })
  })

  test('createToken works even with a stale token in the header', async () => {
    const { gql, signUp } = graphqlApp()
    await signUp('ada')
    const response = await gql(LOGIN, { token: 'stale', variables: { username: 'ada', password: 'secret' } })
    expect(response.body.errors).toBeUndefined()
  })

  test('revokeToken kills the token it was sent with, on both faces, and no other', async () => {
    const { gql, call, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const other = (await gql(LOGIN, { variables: { username: 'ada', password: 'secret' } })).body.data.createToken.token
    expect((await gql('mutation { revokeToken }', { token: ada.token })).body).toEqual({ data: { revokeToken: true } })
    expect(codes((await gql('{ me { id } }', { token: ada.token })).body)).toEqual(['UNAUTHENTICATED'])
    expect((await call('GET', '/api/users', { token: ada.token })).status).toBe(401)
    expect((await gql('{ me { id } }', { token: other })).body.data.me.id).toBe(globalId(ada.id))
  })

  test('revokeToken needs a token', async () => {
    const { gql } = graphqlApp()
    expect(codes((await gql('mutation { revokeToken }')).body)).toEqual(['UNAUTHENTICATED'])
  })

  test('a token revoked on REST is dead on GraphQL', async () => {
    const { gql, call, signUp } = graphqlApp()
    const ada = await signUp('ada')
    expect((await call('DELETE', '/api/tokens', { token: ada.token })).status).toBe(204)
    expect(codes((await gql('{ me { id } }', { token: ada.token })).body)).toEqual(['UNAUTHENTICATED'])
  })
})

describe('updateUser', () => {
  test('changes your own record and shows you your email', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const response = await gql(UPDATE, { token: ada.token, variables: { id: globalId(ada.id), input: { username: 'ada2', email: 'new@example.com' } } })
    expect(response.body).toEqual({ data: { updateUser: { id: globalId(ada.id), username: 'ada2', email: 'new@example.com' } } })
  })

  test('someone else’s record is FORBIDDEN and stays as it was', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const bob = await signUp('bob')
    const response = await gql(UPDATE, { token: ada.token, variables: { id: globalId(bob.id), input: { username: 'hacked' } } })
    expect(codes(response.body)).toEqual(['FORBIDDEN'])
    expect((await gql('query ($id: ID!) { user(id: $id) { username } }', { token: bob.token, variables: { id: globalId(bob.id) } })).body.data.user.username).toBe('bob')
  })

  test('a missing user is NOT_FOUND, and no token is UNAUTHENTICATED', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    expect(codes((await gql(UPDATE, { token: ada.token, variables: { id: '99', input: { username: 'x' } } })).body)).toEqual(['NOT_FOUND'])
    expect(codes((await gql(UPDATE, { variables: { id: globalId(ada.id), input: { username: 'x' } } })).body)).toEqual(['UNAUTHENTICATED'])
  })

  test('a new password needs oldPassword, and the field names are GraphQL’s', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const variables = (input: object) => ({ token: ada.token, variables: { id: globalId(ada.id), input } })
    const missing = await gql(UPDATE, variables({ password: 'new' }))
    expect(missing.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', fields: { oldPassword: MSG.oldPasswordMissing } })
    const wrong = await gql(UPDATE, variables({ password: 'new', oldPassword: 'nope' }))
    expect(wrong.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', fields: { oldPassword: MSG.oldPasswordWrong } })
  })

  test('changing the password ends every session and the new one logs in', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const changed = await gql(UPDATE, { token: ada.token, variables: { id: globalId(ada.id), input: { password: 'new', oldPassword: 'secret' } } })
    expect(changed.body.errors).toBeUndefined()
    expect(codes((await gql('{ me { id } }', { token: ada.token })).body)).toEqual(['UNAUTHENTICATED'])
    expect((await gql(LOGIN, { variables: { username: 'ada', password: 'new' } })).body.data.createToken.token).toBeString()
  })

  test('an input that sets nothing, or sets a field to null, is BAD_USER_INPUT', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const empty = await gql(UPDATE, { token: ada.token, variables: { id: globalId(ada.id), input: {} } })
    expect(empty.body.errors[0]).toMatchObject({ message: 'The input must set at least one field.', extensions: { code: 'BAD_USER_INPUT' } })
    const nulled = await gql(UPDATE, { token: ada.token, variables: { id: globalId(ada.id), input: { username: null } } })
    expect(nulled.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', fields: { username: MSG.username } })
  })
})

describe('deleteUser', () => {
  test('deletes your own account with its tokens', async () => {
    const { gql, call, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const bob = await signUp('bob')
    expect((await gql(DELETE, { token: ada.token, variables: { id: globalId(ada.id) } })).body).toEqual({ data: { deleteUser: true } })
    expect((await call('GET', `/api/users/${ada.id}`, { token: bob.token })).status).toBe(404)
    expect(codes((await gql('{ me { id } }', { token: ada.token })).body)).toEqual(['UNAUTHENTICATED'])
  })

  test('someone else’s account is FORBIDDEN, a missing one NOT_FOUND', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const bob = await signUp('bob')
    expect(codes((await gql(DELETE, { token: ada.token, variables: { id: globalId(bob.id) } })).body)).toEqual(['FORBIDDEN'])
    expect(codes((await gql(DELETE, { token: ada.token, variables: { id: '404' } })).body)).toEqual(['NOT_FOUND'])
    expect(codes((await gql(DELETE, { variables: { id: globalId(bob.id) } })).body)).toEqual(['UNAUTHENTICATED'])
  })
})

describe('unexpected failures', () => {
  test('are masked as a generic message, logged, and leak no SQL', async () => {
    const { gql, signUp, sql } = graphqlApp()
    const ada = await signUp('ada')
    const logged: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void logged.push(args)
    try {
      await sql('DROP TABLE tokens')
      const response = await gql('{ me { id } }', { token: ada.token })
      expect(response.status).toBe(200)
      expect(response.body.errors).toEqual([
        expect.objectContaining({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
      ])
      expect(response.text).not.toMatch(/tokens|SQL|sqlite/i)
    } finally {
      console.error = original
    }
    expect(logged.length).toBeGreaterThan(0)
  })
})
