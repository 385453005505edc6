import { beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { testConfig } from '../helpers'
import { fcOptions, hostileString, hostileValue, jsonText, PROPERTY_TIMEOUT_MS } from '../http/hostile'
import { globalId, graphqlApp } from './client'

/**
 * The GraphQL mutations that take input, driven with generated inputs: hostile values in every field, unknown
 * and poisonous keys, passwords carrying a marker. Whatever is sent: no 5xx, no unexpected (masked) error, the
 * marker never comes back, and a refused mutation changes no row.
 */

const RUNS = 100
const CREATE = 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id username email } }'
const UPDATE = 'mutation ($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id username email } }'
const CREATE_POST = 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id title summary body author { username } } }'
const UPDATE_POST = 'mutation ($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { id title summary body } }'
const LOGIN = 'mutation ($username: String!, $password: String!) { createToken(username: $username, password: $password) { token } }'
const UNLIMITED = {
  rateLimits: { ...testConfig().rateLimits, loginMaxFailures: 1e9, loginMaxFailuresPerAddress: 1e9, registerMaxPerHour: 0 },
}
const MARKER = 'PWzq'

let harness: ReturnType<typeof graphqlApp>
let keeper: { id: number; token: string }
let serial = 0

const snapshot = async () => [
  await harness.sql('SELECT id, username, email, password_hash, updated_at, name, location, about_me FROM users ORDER BY id'),
  await harness.sql('SELECT id, title, summary, body, author_id, updated_at FROM posts ORDER BY id'),
]

/** Posts one operation whose variables are written member by member, so `__proto__` stays a real key. */
async function send(query: string, variables: [string, string][], token?: string) {
  const body = `{"query":${JSON.stringify(query)},"variables":{${variables.map(([name, json]) => `${JSON.stringify(name)}:${json}`).join(',')}}}`
  const before = await snapshot()
  const response = await harness.call('POST', '/graphql', { body, token })
  const label = `${response.status} ${response.text.slice(0, 300)}`
  expect(response.status, label).toBeLessThan(500)
  expect(response.text, label).not.toContain(MARKER)
  expect(response.text, label).not.toContain('Unexpected error')
  if (response.body.errors) expect(await snapshot(), `a refused mutation changed rows: ${label}`).toEqual(before)
  return response
}

// Names and emails may be echoed when valid; passwords never are, so only they carry the marker.
const field = fc.oneof(hostileValue, fc.constantFrom('name-{n}', 'ok-{n}@example.com'))
// Never the keeper's real password: a successful change would end the keeper's session midway.
const secret = fc.oneof(hostileValue, hostileString.map((text) => `${text}${MARKER}`))
const input = fc
  .tuple(
    fc.record({ username: field, email: field, password: secret, oldPassword: secret }, { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom('id', 'isAdmin', 'passwordHash', 'createdAt', '__proto__', 'constructor'), hostileValue, { maxKeys: 2 }),
  )
  .map(([named, extra]) => [...Object.entries(named), ...Object.entries(extra)])
// A post's fields, any value at all; the text is echoed when valid, so it carries no marker.
const postInput = fc
  .tuple(
    fc.record({ title: hostileValue, summary: hostileValue, body: hostileValue }, { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom('id', 'authorId', 'views', '__proto__'), hostileValue, { maxKeys: 2 }),
  )
  .map(([named, extra]) => [...Object.entries(named), ...Object.entries(extra)])
const fill = (entries: [string, unknown][]) =>
  jsonText(entries.map(([key, value]) => [key, typeof value === 'string' ? value.replaceAll('{n}', String(++serial)) : value]))

describe('GraphQL inputs under generated values', () => {
  beforeAll(async () => {
    harness = graphqlApp(UNLIMITED)
    keeper = await harness.signUp('keeper')
    await harness.call('POST', '/api/posts', { token: keeper.token, body: { title: 'kept', body: 'kept' } })
  })

  test(
    'createUser',
    () =>
      fc.assert(
        fc.asyncProperty(input, async (entries) => {
          await send(CREATE, [['input', fill(entries)]])
        }),
        fcOptions(RUNS),
      ),
    PROPERTY_TIMEOUT_MS,
  )

  test('updateUser on one’s own record', () =>
    fc.assert(
      fc.asyncProperty(input, async (entries) => {
        await send(UPDATE, [['id', JSON.stringify(globalId(keeper.id))], ['input', fill(entries)]], keeper.token)
      }),
      fcOptions(RUNS),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('createPost and updatePost on one’s own post', () =>
    fc.assert(
      fc.asyncProperty(postInput, fc.boolean(), async (entries, update) => {
        const id = Buffer.from('Post:1').toString('base64url')
        if (update) await send(UPDATE_POST, [['id', JSON.stringify(id)], ['input', fill(entries)]], keeper.token)
        else await send(CREATE_POST, [['input', fill(entries)]], keeper.token)
      }),
      fcOptions(RUNS),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('createToken', () =>
    fc.assert(
      fc.asyncProperty(fc.tuple(fc.oneof(field, fc.constant('keeper')), fc.oneof(secret, fc.constant('secret'))), async ([username, password]) => {
        await send(LOGIN, [['username', JSON.stringify(username)], ['password', JSON.stringify(password)]])
      }),
      fcOptions(RUNS),
    ),
    PROPERTY_TIMEOUT_MS,
  )
})
