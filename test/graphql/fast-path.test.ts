import { describe, expect, test } from 'bun:test'
import { createGraphqlServer } from '../../src/graphql'
import { regularMediaType } from '../../src/graphql/fast-path'
import type { Logger } from '../../src/log'
import { createServices } from '../../src/services'
import { testApp } from '../helpers'

/** A logger that keeps warnings and errors (yoga's debug lines trace its own layers), to compare both paths. */
function recordingLogger() {
  const lines: unknown[][] = []
  const keep = (...args: unknown[]) => void lines.push(args)
  const logger: Logger = { debug: () => {}, info: () => {}, warn: keep, error: keep }
  return { logger, lines }
}

/** The app's database and accounts, plus a bare GraphQL server over them: yoga whole, and the fast path. */
function harness() {
  const app = testApp()
  const { logger, lines } = recordingLogger()
  const services = createServices(app.database.db, app.config)
  const { yoga, fast } = createGraphqlServer(services, app.config, logger)
  return { ...app, services, yoga, fast, lines }
}
type Harness = ReturnType<typeof harness>

interface Sent {
  body: string
  accept?: string
  token?: string
}

function request({ body, accept, token }: Sent) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (accept !== undefined) headers.accept = accept
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  return new Request('http://localhost/graphql', { method: 'POST', headers, body })
}

const answer = async (response: Response) => ({
  status: response.status,
  headers: Object.fromEntries(response.headers),
  body: JSON.parse(await response.text()) as unknown,
})

/** The fast path's answer, which must exist. */
async function viaFastPath(h: Harness, sent: Sent) {
  const response = h.fast(request(sent), sent.body)
  expect(response).toBeDefined()
  return answer(await response!)
}

const viaYoga = async (h: Harness, sent: Sent) => answer(await h.yoga.handleRequest(request(sent), { bufferedBody: sent.body }))

/** The fast path answers exactly as yoga does: status, headers, body, and what gets logged. */
async function expectSameAnswer(h: Harness, sent: Sent) {
  h.lines.length = 0
  const fast = await viaFastPath(h, sent)
  const fastLog = h.lines.splice(0).map(String)
  const whole = await viaYoga(h, sent)
  expect(fast).toEqual(whole)
  expect(fastLog).toEqual(h.lines.map(String))
  return fast
}

const json = (params: unknown) => JSON.stringify(params)
const USER = 'query User($id: ID!) { user(id: $id) { id username email } }'

describe('GraphQL fast path: the same answer as yoga', () => {
  test('a query with a token, by literal and by variable', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    const literal = await expectSameAnswer(h, { body: json({ query: '{ user(id: "1") { id username } }' }), token: ada.token })
    expect(literal).toMatchObject({ status: 200, body: { data: { user: { id: '1', username: 'ada' } } } })
    const variable = await expectSameAnswer(h, { body: json({ query: USER, variables: { id: '1' } }), token: ada.token })
    expect(variable.body).toEqual({ data: { user: { id: '1', username: 'ada', email: 'ada@example.com' } } })
  })

  test('resolver errors (no token, an unknown user), under either JSON media type', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    for (const accept of [undefined, 'application/json', 'application/graphql-response+json', '*/*']) {
      const anonymous = await expectSameAnswer(h, { body: json({ query: USER, variables: { id: '1' } }), accept })
      expect(anonymous.body).toMatchObject({ data: { user: null }, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] })
      const missing = await expectSameAnswer(h, { body: json({ query: USER, variables: { id: '99' } }), accept, token: ada.token })
      expect(missing.body).toMatchObject({ data: { user: null }, errors: [{ extensions: { code: 'NOT_FOUND' } }] })
    }
  })

  test('variables that do not fit: missing, wrong type, null where required, redacted as yoga redacts them', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    for (const variables of [undefined, null, {}, { id: { password: 'hunter2' } }, { id: null }, { id: ['1'] }]) {
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const refused = await expectSameAnswer(h, { body: json({ query: USER, variables }), accept, token: ada.token })
        expect(JSON.stringify(refused.body)).not.toContain('hunter2')
        expect(refused.body).toMatchObject({ errors: [{ message: expect.stringContaining('$id') }] })
      }
    }
  })

  test('operationName picks one of several operations; extensions and nulls are accepted', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    const query = 'query Me { me { username } } query One { user(id: "1") { id } }'
    const me = await expectSameAnswer(h, { body: json({ query, operationName: 'Me' }), token: ada.token })
    expect(me.body).toEqual({ data: { me: { username: 'ada' } } })
    const one = await expectSameAnswer(h, { body: json({ query, operationName: 'One', extensions: {}, variables: null }), token: ada.token })
    expect(one.body).toEqual({ data: { user: { id: '1' } } })
  })

  test('mutations run once and answer the same (two twin databases, one per path)', async () => {
    const [fastSide, yogaSide] = [harness(), harness()]
    const create = json({
      query: 'mutation New($input: CreateUserInput!) { createUser(input: $input) { id username } }',
      variables: { input: { username: 'bob', email: 'bob@example.com', password: 'secret' } },
    })
    for (const round of [1, 2]) {
      const fast = await viaFastPath(fastSide, { body: create })
      expect(fast).toEqual(await viaYoga(yogaSide, { body: create }))
      expect(fast.body).toMatchObject(round === 1 ? { data: { createUser: { username: 'bob' } } } : { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] })
    }
  })

  test('an unexpected failure is masked and logged alike', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    h.services.users.get = () => {
      throw new Error('disk I/O error in /var/lib/madblog')
    }
    const failed = await expectSameAnswer(h, { body: json({ query: '{ user(id: "1") { id } }' }), token: ada.token })
    expect(failed.body).toMatchObject({ data: { user: null }, errors: [{ message: 'Unexpected error.' }] })
    expect(JSON.stringify(failed.body)).not.toContain('disk')
    expect(String(h.lines)).toContain('disk I/O error')
  })
})

describe('GraphQL fast path: what it leaves to yoga', () => {
  const declined: [string, Sent][] = [
    ['a batch', { body: json([{ query: '{ me { id } }' }]) }],
    ['a body that is not JSON', { body: '{"query": ' }],
    ['a body that is not an object', { body: '"{ me { id } }"' }],
    ['no query', { body: json({ variables: {} }) }],
    ['a query that is not a string', { body: json({ query: 42 }) }],
    ['variables that are not an object', { body: json({ query: '{ me { id } }', variables: '{}' }) }],
    ['an unknown parameter', { body: json({ query: '{ me { id } }', persisted: true }) }],
    ['an operationName that is not a string', { body: json({ query: '{ me { id } }', operationName: 1 }) }],
    ['a syntax error', { body: json({ query: '{ me { id }' }) }],
    ['an unknown field', { body: json({ query: '{ me { password } }' }) }],
    ['a document over a limit', { body: json({ query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }` }) }],
    ['an operationName that names nothing', { body: json({ query: '{ me { id } }', operationName: 'Nope' }) }],
    ['several operations and no name', { body: json({ query: 'query A { me { id } } query B { me { id } }' }) }],
    ['an Accept no JSON result fits', { body: json({ query: '{ me { id } }' }), accept: 'text/html' }],
    ['a streaming Accept', { body: json({ query: '{ me { id } }' }), accept: 'text/event-stream' }],
    ['a charset other than utf-8', { body: json({ query: '{ me { id } }' }), accept: 'application/json; charset=latin1' }],
  ]
  for (const [what, sent] of declined)
    test(`${what}: declined, so yoga answers it whole`, () => {
      expect(harness().fast(request(sent), sent.body)).toBeUndefined()
    })

  test('a document refused once stays refused: only documents that passed are remembered', async () => {
    const h = harness()
    const ada = await h.signUp('ada')
    const deep = json({ query: `{ me { ${'id '.repeat(2000)}} }` })
    for (const _ of [1, 2]) expect(h.fast(request({ body: deep, token: ada.token }), deep)).toBeUndefined()
    const refused = await h.call('POST', '/graphql', { body: deep, token: ada.token })
    expect(refused.body.errors[0].message).toMatch(/Token limit/)
  })

  test('yoga has no hook the fast path does not stand in for', () => {
    // For the requests it takes, the fast path replaces: onRequest (health check, GraphiQL, CSRF, unhandled
    // route: none applies to a JSON POST on /graphql), onRequestParse (the parsers, the method check, the batch
    // limit: a single JSON object), onParams (the parameter checks, repeated by plainParams), onResultProcess
    // (the media type, chosen by regularMediaType), onContextBuilding (yoga's context option: contextFor) and
    // onExecute (the engine, redaction, masking: run() does all three). Parse and validate run through yoga.
    // A new plugin with one of these hooks must be weighed in src/graphql/fast-path.ts before a count changes.
    const { yoga } = harness()
    const plugins = (yoga as unknown as { plugins: (Record<string, unknown> | undefined)[] }).plugins.filter(Boolean)
    const HOOKS = ['onRequest', 'onRequestParse', 'onParams', 'onContextBuilding', 'onExecute', 'onExecutionResult', 'onResultProcess', 'onResponse']
    const counts = Object.fromEntries(HOOKS.map((hook) => [hook, plugins.filter((plugin) => plugin![hook]).length]))
    expect(counts).toEqual({
      onRequest: 4,
      onRequestParse: 7,
      onParams: 1,
      onContextBuilding: 1,
      onExecute: 3,
      onExecutionResult: 0,
      onResultProcess: 1,
      onResponse: 0,
    })
  })
})

describe('regularMediaType follows yoga: read back to front, the last match wins, utf-8 only', () => {
  test.each([
    [null, 'application/json'],
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
    ['application/json, application/graphql-response+json', 'application/json'],
    ['application/*', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    ['text/html, application/json;q=0.9', 'application/json'],
    ['text/html', undefined],
    ['application/json; charset=latin1', undefined],
  ])('Accept %p answers as %p', (accept, mediaType) => {
    expect(regularMediaType(accept)).toBe(mediaType)
  })
})

test('through the app, the common request and its refusals keep their status codes', async () => {
  const h = harness()
  const ada = await h.signUp('ada')
  const ok = await h.call('POST', '/graphql', { body: { query: '{ me { username } }' }, token: ada.token })
  expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: { data: { me: { username: 'ada' } } } })
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
