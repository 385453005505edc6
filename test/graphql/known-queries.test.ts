import { describe, expect, test } from 'bun:test'
import { createGraphqlServer } from '../../src/graphql'
import type { Logger } from '../../src/log'
import { createServices } from '../../src/services'
import { storeOf } from '../../src/app'
import { testApp } from '../helpers'
import { globalId } from './client'

/** The app's database and accounts, and yoga over them with a logger that keeps every line, debug included. */
function harness() {
  const app = testApp()
  const debug: string[] = []
  const logged: string[] = []
  const keep = (lines: string[]) => (message: string, detail?: unknown) => void lines.push(`${message} ${String(detail)}`)
  const logger: Logger = { debug: keep(debug), info: keep(logged), warn: keep(logged), error: keep(logged) }
  const services = createServices(storeOf(app.database), app.config)
  /** A yoga with nothing accepted yet: its first answer to any document is yoga's whole path. */
  const freshYoga = () => createGraphqlServer(services, app.config.graphql, logger)
  return { ...app, services, yoga: freshYoga(), freshYoga, debug, logged }
}
type Harness = ReturnType<typeof harness>

interface Sent {
  body: string
  accept?: string
  token?: string
}

/** What `yoga` answers, handed the server context the HTTP edge would build, and what it logged meanwhile. */
async function answer(h: Harness, sent: Sent, yoga = h.yoga) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (sent.accept !== undefined) headers.accept = sent.accept
  const request = new Request('http://localhost/graphql', { method: 'POST', headers, body: sent.body })
  h.debug.length = 0
  h.logged.length = 0
  const serverContext = { caller: await h.services.tokens.caller(sent.token), clientAddress: 'test', bufferedBody: sent.body }
  const response = await yoga.handleRequest(request, serverContext)
  const text = await response.text()
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: (text ? JSON.parse(text) : undefined) as unknown,
    logged: [...h.logged],
    // Yoga's own parameter processing logs at debug: its absence shows the plugin answered.
    byYoga: h.debug.some((line) => line.includes('Processing GraphQL Parameters')),
  }
}

/** Sent twice, the second time as a known query: the same answer as yoga's whole path gives, and the same log. */
async function expectSameAsYoga(h: Harness, sent: Sent) {
  await answer(h, sent)
  const { byYoga, ...known } = await answer(h, sent)
  const { byYoga: whole, ...yogas } = await answer(h, sent, h.freshYoga())
  expect(whole).toBe(true)
  expect(known).toEqual(yogas)
  return { ...known, byYoga }
}

const json = (params: unknown) => JSON.stringify(params)
const USER = 'query User($id: ID!) { user(id: $id) { id username email } }'
const USERS = '{ users(first: 2) { edges { cursor node { id username } } pageInfo { hasNextPage endCursor } totalCount } }'

describe('known queries: yoga answers the first, the plugin the next, alike', () => {
  test('a query by literal and by variable, under every Accept it takes', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    await h.signUp('bob')
    for (const accept of [undefined, '*/*', 'application/json', 'application/graphql-response+json']) {
      const literal = await expectSameAsYoga(h, { body: json({ query: `{ user(id: "${globalId(1)}") { id username } }` }), token: ada.token, accept })
      expect(literal).toMatchObject({ status: 200, byYoga: false, body: { data: { user: { id: globalId(1), username: 'ada' } } } })
      const variable = await expectSameAsYoga(h, { body: json({ query: USER, variables: { id: globalId(1) } }), token: ada.token, accept })
      expect(variable).toMatchObject({ byYoga: false, body: { data: { user: { id: globalId(1), username: 'ada', email: 'ada@example.com' } } } })
      const users = await expectSameAsYoga(h, { body: json({ query: USERS }), token: ada.token, accept })
      expect(users).toMatchObject({ byYoga: false, body: { data: { users: { totalCount: 2, pageInfo: { hasNextPage: false } } } } })
    }
  })

  test('operationName picks one of several operations', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    const query = `query Me { me { username } } query One { user(id: "${globalId(1)}") { id } }`
    expect(await expectSameAsYoga(h, { body: json({ query, operationName: 'Me' }), token: ada.token })).toMatchObject({
      byYoga: false,
      body: { data: { me: { username: 'ada' } } },
    })
    expect(await expectSameAsYoga(h, { body: json({ query, operationName: 'One', variables: null }), token: ada.token })).toMatchObject({
      byYoga: false,
      body: { data: { user: { id: globalId(1) } } },
    })
  })

  test('an answer with errors is always yoga’s: masked, redacted and logged as yoga does', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    const missing = await expectSameAsYoga(h, { body: json({ query: USER, variables: { id: '99' } }), token: ada.token })
    expect(missing).toMatchObject({ byYoga: true, body: { data: { user: null }, errors: [{ extensions: { code: 'NOT_FOUND' } }] } })
    const anonymous = await expectSameAsYoga(h, { body: json({ query: USER, variables: { id: globalId(1) } }) })
    expect(anonymous).toMatchObject({ byYoga: true, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } })
    const redacted = await expectSameAsYoga(h, { body: json({ query: USER, variables: { id: { password: 'hunter2' } } }), token: ada.token })
    expect(redacted.byYoga).toBe(true)
    expect(JSON.stringify(redacted.body)).not.toContain('hunter2')
    h.services.users.get = () => {
      throw new Error('disk I/O error in /var/lib/madblog')
    }
    const failed = await expectSameAsYoga(h, { body: json({ query: `{ user(id: "${globalId(1)}") { id } }` }), token: ada.token })
    expect(failed).toMatchObject({ byYoga: true, body: { errors: [{ message: 'Unexpected error.' }] } })
    expect(failed.logged.join()).toContain('disk I/O error')
  })

  test('mutations, batches, extensions and other Accepts are yoga’s every time', async () => {
    const h = harness()
    const create = json({
      query: 'mutation New($input: CreateUserInput!) { createUser(input: $input) { username } }',
      variables: { input: { username: 'bob', email: 'bob@example.com', password: 'secret' } },
    })
    expect((await answer(h, { body: create })).body).toEqual({ data: { createUser: { username: 'bob' } } })
    expect(await answer(h, { body: create })).toMatchObject({ byYoga: true, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } })
    const me = { query: `{ user(id: "${globalId(1)}") { id } }` }
    await answer(h, { body: json(me) })
    for (const sent of [
      { body: json([me]) },
      { body: json({ ...me, extensions: {} }) },
      { body: json(me), accept: 'application/graphql-response+json, application/json' },
      { body: json(me), accept: 'text/html' },
    ])
      expect((await answer(h, sent)).byYoga).toBe(true)
  })

  test('a document yoga refused is never remembered', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    const deep = json({ query: `{ me { ${'id '.repeat(2000)}} }` })
    for (const _ of [1, 2]) {
      const refused = await answer(h, { body: deep, token: ada.token })
      expect(refused).toMatchObject({ byYoga: true, body: { errors: [{ message: expect.stringMatching(/Token limit/) }] } })
    }
  })
})

test('through the app, the common request and its refusals keep their status codes', async () => {
  const h = harness()
  const ada = await h.signUp('ada')
  for (const _ of [1, 2]) {
    const ok = await h.call('POST', '/graphql', { body: { query: '{ me { username } }' }, token: ada.token })
    expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: { data: { me: { username: 'ada' } } } })
    expect(ok.headers.get('cache-control')).toBe('no-store')
  }
  const strict = { 'content-type': 'application/json', accept: 'application/graphql-response+json' }
  const syntax = await h.call('POST', '/graphql', { body: { query: '{ me {' }, headers: strict })
  expect(syntax.status).toBe(400)
  const invalid = await h.call('POST', '/graphql', { body: { query: '{ me { password } }' }, headers: strict })
  expect(invalid.status).toBe(400)
  for (const accept of ['text/html', 'application/json; charset=utf-16']) {
    const notAcceptable = await h.call('POST', '/graphql', { body: { query: '{ me { id } }' }, headers: { accept } })
    expect(notAcceptable.status).toBe(406)
    // A refusal like any other: JSON that says why, not an empty body.
    expect(notAcceptable.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(notAcceptable.body.errors[0]).toEqual({ message: expect.stringContaining('Accept'), extensions: { code: 'NOT_ACCEPTABLE' } })
  }
})
