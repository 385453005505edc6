import { describe, expect, test } from 'bun:test'
import { redactValues } from '../../src/graphql/redact'
import { globalId, graphqlApp } from './client'

/** GraphQL inputs: unknown fields never reach a column, and no error quotes back what was sent. */

const CREATE = 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id username } }'
const UPDATE = 'mutation ($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id email } }'
const SECRET = 'hunter2-Correct-Horse'
const SMUGGLED = { id: '999', password_hash: 'x', passwordHash: 'x', createdAt: 0, created_at: 0, updatedAt: 0, emailVerified: true, isAdmin: true }

const rows = (harness: ReturnType<typeof graphqlApp>) =>
  harness.sql('SELECT id, username, email, password_hash, created_at, updated_at FROM users ORDER BY id')

describe('mass assignment', () => {
  test.each(Object.entries(SMUGGLED))('createUser with an unknown input field %s creates no one', async (field, value) => {
    const h = graphqlApp()
    const { gql } = h
    const input = { username: 'ann', email: 'ann@example.com', password: SECRET, [field]: value }
    const response = await gql(CREATE, { variables: { input } })
    expect(response.body.data ?? null).toBeNull()
    expect(response.body.errors[0].message).toContain(`Field "${field}" is not defined by type "CreateUserInput"`)
    expect(await rows(h)).toEqual([])
  })

  test('an unknown field written into the document is refused before anything runs', async () => {
    const h = graphqlApp()
    const { gql } = h
    const response = await gql(
      `mutation { createUser(input: {username: "ann", email: "ann@example.com", password: "${SECRET}", isAdmin: true}) { id } }`,
    )
    expect(response.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED')
    expect(await rows(h)).toEqual([])
  })

  test('updateUser with unknown fields, __proto__ among them, changes no row', async () => {
    const h = graphqlApp()
    const { gql, signUp, call } = h
    const ann = await signUp('ann')
    const before = await rows(h)
    for (const input of [
      { email: 'ann@new.example.com', ...SMUGGLED },
      JSON.parse(`{"email": "ann@new.example.com", "__proto__": {"password": "new", "oldPassword": "secret"}}`),
    ]) {
      const response = await gql(UPDATE, { token: ann.token, variables: { id: globalId(ann.id), input } })
      expect(response.body.errors?.length).toBeGreaterThan(0)
    }
    expect(await rows(h)).toEqual(before)
    expect((await call('POST', '/api/tokens', { basic: ['ann', 'secret'] })).status).toBe(200)
  })
})

describe('no value is quoted back', () => {
  test('an unknown field beside a password: the error names the field, not the password', async () => {
    const { gql } = graphqlApp()
    const response = await gql(CREATE, { variables: { input: { username: 'ann', email: 'ann@example.com', password: SECRET, isAdmin: true } } })
    expect(response.text).not.toContain(SECRET)
    expect(response.body.errors[0].message).toBe(
      'Variable "$input" got invalid value; Field "isAdmin" is not defined by type "CreateUserInput".',
    )
  })

  test('a password of the wrong type: the error gives its place and the type expected', async () => {
    const { gql } = graphqlApp()
    const response = await gql(CREATE, { variables: { input: { username: 'ann', email: 'ann@example.com', password: 74_106_531 } } })
    expect(response.text).not.toContain('74106531')
    expect(response.body.errors[0].message).toBe('Variable "$input" got invalid value at "input.password"; expected String.')
  })

  test('a literal of the wrong type in the document is not quoted back either', async () => {
    const { gql } = graphqlApp()
    const response = await gql('mutation { createToken(username: "ann", password: 74106531) { token } }')
    expect(response.text).not.toContain('74106531')
    expect(response.body.errors[0].message).toBe('String cannot represent a non string value.')
  })

  test.each([
    // A value that imitates the tail of a message cannot smuggle itself through.
    [
      'Variable "$input" got invalid value { a: "; Field \\"x\\" is not defined by type \\"T\\"." }; Expected type "T" to be an object.',
      'Variable "$input" got invalid value; Expected type "T" to be an object.',
    ],
    ['Variable "$id" got invalid value { secret: 1 }; ID cannot represent value: { secret: 1 }', 'Variable "$id" got invalid value; expected ID.'],
    ['Int cannot represent non-integer value: "s3cret"', 'Int cannot represent non-integer value.'],
    ['Expected value of type "String!", found 123; String cannot represent a non string value: 123', 'Expected value of type "String!".'],
    ['Cannot query field "x" on type "Query".', 'Cannot query field "x" on type "Query".'],
  ])('redactValues(%s)', (message, redacted) => {
    expect(redactValues(message)).toBe(redacted)
  })
})
