import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { testApp, testConfig } from '../helpers'
import { contractViolations, type Document } from './contract'
import {
  badEmail,
  badId,
  badPassword,
  badUsername,
  extraKeys,
  fcOptions,
  garbageAuthorization,
  hostileQuery,
  hostileString,
  jsonText,
  jsonType,
  notAnObject,
  otherType,
  PROPERTY_TIMEOUT_MS,
} from './hostile'

/**
 * Every REST route driven with generated requests, valid and hostile, through `app.handle`. Each request is a
 * plain-data draft (readable when fast-check prints a counterexample) built against live users at run time.
 * Whatever is sent: never a 5xx, the status the rules predict, a body in the tutorial's error shape that the
 * OpenAPI document declares for that status, and nothing submitted or internal echoed back.
 */

const RUNS = 100
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  411: 'Length Required',
  413: 'Payload Too Large',
}
// Traces of internals: SQLite's errors, stack frames, source paths, stored hashes. None can come from a username.
const INTERNALS = /SQLITE_|SQLiteError|constraint failed|\n\s+at |node_modules|\/src\/|\$argon2id\$|password_hash|passwordHash/

type Auth = 'keeper' | 'fresh' | 'none' | { header: string } | { basic: [string, string] }

/** A request in data: `{self}`, `{other}` and `{n}` are filled in when it is sent. */
interface Draft {
  method: string
  path: string
  auth: Auth
  type?: string
  body?: string
  headers?: Record<string, string>
  /** The statuses the rules allow; any other fails. */
  expect: readonly number[]
  /** What the answer must never contain, such as a submitted password. */
  secret?: string
  /** A login to try afterwards with what was registered, and the status it must get. */
  thenLogin?: { username: string; password: string; expect: number }
}

interface Account {
  id: number
  token: string
  username: string
}

// Brute-force limits have their own tests; here thousands of logins and sign-ups come from one address.
const UNLIMITED = {
  rateLimits: { ...testConfig().rateLimits, loginMaxFailures: 1e9, loginMaxFailuresPerAddress: 1e9, registerMaxPerHour: 0 },
}

let harness: ReturnType<typeof testApp>
let doc: Document
let keeper: Account
let other: Account
/** A post of the keeper's and one of the other account's. */
let posts: { self: number; other: number }
let serial = 0
// `?__proto__[page]=1` or a `__proto__` member handled carelessly would add to every object's prototype.
const PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort()

async function freshAccount(): Promise<Account> {
  const username = `fresh-${++serial}`
  const { id, token } = await harness.signUp(username)
  return { id, token, username }
}

/**
 * Every stored column a request writes: a refused request must leave it exactly as it was. Views and last_seen
 * land in batches on their own timer, so they are not a request's writes.
 */
const snapshot = async () => [
  await harness.sql('SELECT id, username, email, password_hash, created_at, updated_at, name, location, about_me FROM users ORDER BY id'),
  await harness.sql('SELECT id, user_id, token_hash, expires_at FROM tokens ORDER BY id'),
  await harness.sql('SELECT id, title, summary, body, author_id, timestamp, updated_at FROM posts ORDER BY id'),
]

function basic(username: string, password: string) {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

/** Sends one draft and checks every promise the service makes about the answer. */
async function send(draft: Draft) {
  const n = String(++serial)
  const account = draft.auth === 'fresh' ? await freshAccount() : keeper
  const fill = (text: string) =>
    text
      .replaceAll('{selfPost}', String(posts.self))
      .replaceAll('{otherPost}', String(posts.other))
      .replaceAll('{self}', String(account.id))
      .replaceAll('{other}', String(other.id))
      .replaceAll('{n}', n)
  const headers: Record<string, string> = { ...draft.headers }
  if (draft.auth === 'keeper' || draft.auth === 'fresh') headers.authorization = `Bearer ${account.token}`
  else if (draft.auth !== 'none' && 'header' in draft.auth) headers.authorization = draft.auth.header
  else if (draft.auth !== 'none') headers.authorization = basic(...draft.auth.basic)
  const body = draft.body === undefined ? undefined : fill(draft.body)
  if (body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(body))
    if (draft.type) headers['content-type'] = draft.type
  }
  const path = fill(draft.path)
  const before = await snapshot()
  const request = new Request(`http://localhost${path}`, { method: draft.method, headers, body })
  const response = await harness.app.handle(request)
  const text = await response.text()
  const answer = { status: response.status, headers: response.headers, text }
  const label = `${draft.method} ${path} -> ${answer.status} ${text.slice(0, 300)}`

  expect(answer.status, label).toBeLessThan(500)
  // A path the URL parser rewrites (%2e%2e is "..") reaches another route, whose own rules the contract checks.
  if (new URL(request.url).pathname === path.split('?')[0]) expect(draft.expect, label).toContain(answer.status)
  expect(contractViolations(doc, draft.method, new URL(request.url).pathname, answer), label).toEqual([])
  if (answer.status >= 400) {
    // The tutorial's shape and nothing more: {"error": <reason phrase>, "message"?: ...}.
    const { error, message, ...rest } = JSON.parse(text)
    expect({ error, rest }, label).toEqual({ error: REASONS[answer.status], rest: {} })
    if (message !== undefined) expect(typeof message === 'string' || typeof message === 'object', label).toBe(true)
  }
  if (answer.status === 401) {
    const scheme = new URL(request.url).pathname === '/api/tokens' && draft.method === 'POST' ? 'Basic' : 'Bearer'
    expect(response.headers.get('www-authenticate'), label).toStartWith(scheme)
  }
  if (answer.status >= 400) expect(await snapshot(), `a refused request changed rows: ${label}`).toEqual(before)
  if (draft.method === 'GET' && path.startsWith('/api/users?') && answer.status === 200) {
    // Nonsense falls back to page 1 and 10 a page; per_page is capped at 100; no email in a list.
    const { _meta: meta, items } = JSON.parse(text)
    expect(meta.page, label).toBeGreaterThanOrEqual(1)
    expect(meta.per_page, label).toBeWithin(1, 101)
    expect(items.length, label).toBeLessThanOrEqual(meta.per_page)
    for (const item of items) expect(item, label).not.toContainKey('email')
  }
  if (draft.method === 'GET' && path.startsWith('/api/posts') && answer.status === 200) {
    const { items, author } = JSON.parse(text)
    for (const embedded of items?.map((item: { author: unknown }) => item.author) ?? [author])
      expect(embedded, `an author's email: ${label}`).not.toContainKey('email')
  }
  if (draft.method === 'GET' && draft.path === '/api/users/{other}' && answer.status === 200)
    expect(JSON.parse(text), `someone else's email: ${label}`).not.toContainKey('email')
  if (draft.secret) expect(text, label).not.toContain(fill(draft.secret))
  expect(text, label).not.toMatch(INTERNALS)

  if (draft.thenLogin) {
    const { username, password, expect: status } = draft.thenLogin
    const login = await harness.app.handle(
      new Request('http://localhost/api/tokens', { method: 'POST', headers: { authorization: basic(fill(username), fill(password)) } }),
    )
    expect(login.status, `login after ${label}`).toBe(status)
  }
}

const isObject = (body: string) => {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

/** Whether a generated JSON object names `field` itself (not merely somewhere inside). */
const sends = (body: string, field: string) => Object.hasOwn(JSON.parse(body), field)

// A post echoes what its author wrote: text that looks like an internal would be a false alarm there.
const postText = hostileString.filter((text) => !INTERNALS.test(text))

const run = (arbitrary: fc.Arbitrary<Draft>) => fc.assert(fc.asyncProperty(arbitrary, send), fcOptions(RUNS))

// Valid field values, made unique with {n} when sent.
// Usernames of the identity rule: letters of Latin and Han (never Cyrillic or Greek beside Latin), digits, . _ -.
const usernameBase = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', 'ß', 'ñ', '张', '三', '7', '_', '.', '-'), maxLength: 12 })
const anyPassword = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\uD800', '\0', ':')), maxLength: 30 })
const validUser = fc.record({
  username: usernameBase.map((base) => `${base}-u{n}`),
  email: fc.constantFrom('u{n}@example.com', 'First.Last+{n}@mail.example.org', '"quoted {n}"@example.co'),
  // A marker in every password, so an echo of it can be looked for.
  password: anyPassword.map((text) => `${text}PW{n}zq`),
})
const bearer = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Auth>('keeper') },
  garbageAuthorization.map<Auth>((header) => ({ header })),
  fc.constant<Auth>('none'),
)
const statusFor = (auth: Auth, ok: number[]) => (auth === 'keeper' || auth === 'fresh' ? ok : [401])
// An id that does not even decode is refused with the path, before the token is looked at.
const statusForId = (auth: Auth, ok: number[]) => (auth === 'keeper' || auth === 'fresh' ? ok : [401, 404])

/** A JSON object whose named fields are each valid or broken, with forbidden and poisonous keys mixed in. */
function objectBody(fields: Record<string, fc.Arbitrary<unknown>>) {
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), extraKeys, fc.boolean())
    .map(([named, extra, extraFirst]) => {
      const entries = [...Object.entries(named), ...Object.entries(extra)]
      return jsonText(extraFirst ? entries.reverse() : entries)
    })
}

describe('every REST route under generated requests', () => {
  beforeAll(async () => {
    harness = testApp(UNLIMITED)
    doc = (await harness.call('GET', '/swagger/json')).body
    keeper = await freshAccount()
    other = await freshAccount()
    const write = async (account: Account) =>
      (await harness.call('POST', '/api/posts', { token: account.token, body: { title: 'kept', body: 'kept' } })).body.id as number
    posts = { self: await write(keeper), other: await write(other) }
  })

  afterAll(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE)
    expect(({} as Record<string, unknown>).page).toBeUndefined()
  })

  test('GET /api/ping answers "Pong!" whatever else comes with it', () =>
    run(
      fc.record({ query: hostileQuery, auth: bearer }).map(({ query, auth }) => ({
        method: 'GET',
        path: `/api/ping?${query}`,
        auth,
        expect: [200],
      })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('POST /api/users registers any valid user, who can then log in with that exact password', () =>
    run(
      fc.record({ user: validUser, type: jsonType, extra: extraKeys }).map(({ user, type, extra }) => ({
        method: 'POST',
        path: '/api/users',
        auth: 'none',
        type,
        body: jsonText([...Object.entries(extra), ...Object.entries(user)]),
        expect: [201],
        secret: 'PW{n}zq',
        thenLogin: { username: user.username, password: user.password, expect: 200 },
      })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('POST /api/users refuses every invalid body with 400 and echoes none of it', () =>
    run(
      fc
        .oneof(
          // At least one field is broken; the others may be fine.
          fc
            .record({
              broken: fc.constantFrom('username', 'email', 'password'),
              missing: fc.boolean(),
              user: validUser,
              bad: fc.record({ username: badUsername, email: badEmail, password: badPassword }),
              extra: extraKeys,
            })
            .map(({ broken, missing, user, bad, extra }) => {
              const fields: Record<string, unknown> = { ...user }
              if (missing) delete fields[broken]
              else fields[broken] = bad[broken as keyof typeof bad]
              return { body: jsonText([...Object.entries(fields), ...Object.entries(extra)]), type: 'application/json' }
            }),
          fc.record({ body: notAnObject, type: jsonType }),
          // A valid user in anything but JSON is still "You must post JSON data."
          fc.record({ user: validUser, type: otherType }).map(({ user, type }) => ({ body: jsonText(Object.entries(user)), type })),
        )
        .map(({ body, type }) => ({
          method: 'POST',
          path: '/api/users',
          auth: 'none' as const,
          type,
          body,
          expect: [400],
          secret: 'PW{n}zq',
        })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('GET /api/users pages through whatever page and per_page say', () =>
    run(
      fc.record({ query: hostileQuery, auth: bearer }).map(({ query, auth }) => ({
        method: 'GET',
        path: `/api/users?${query}`,
        auth,
        expect: statusFor(auth, [200]),
      })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('GET /api/users/:id is 404 for anything but an existing id', () =>
    run(
      fc
        .record({
          id: fc.oneof(badId.map((id) => ({ id, found: false })), fc.constantFrom({ id: '{other}', found: true }, { id: '{self}', found: true }, { id: '987654321', found: false }), fc.constant({ id: '0{other}', found: true })),
          auth: bearer,
        })
        .map(({ id, auth }) => ({
          method: 'GET',
          path: `/api/users/${id.id}`,
          auth,
          expect: id.found ? statusFor(auth, [200]) : statusForId(auth, [404]),
        })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('PUT /api/users/:id refuses invalid bodies, others’ records and unknown ids', () =>
    run(
      fc.oneof(
        fc
          .oneof(
            objectBody({ username: badUsername, email: badEmail, password: badPassword, old_password: hostileString }).filter(
              (body) => /"(username|email|password)"/.test(body),
            ),
            notAnObject,
          )
          .chain((body) =>
            fc.record({ body: fc.constant(body), type: fc.oneof(jsonType, otherType), auth: bearer }).map(({ body, type, auth }) => ({
              method: 'PUT',
              path: '/api/users/{self}',
              auth,
              type,
              body,
              // The body is read before the token: broken JSON is 400 even without one.
              expect: auth === 'keeper' ? [400] : [400, 401],
            })),
          ),
        fc.record({ extra: extraKeys, id: fc.oneof(fc.constant('{other}'), badId), auth: bearer }).map(({ extra, id, auth }) => ({
          method: 'PUT',
          path: `/api/users/${id}`,
          auth,
          type: 'application/json',
          body: jsonText([['email', 'taken-{n}@example.com'], ...Object.entries(extra)]),
          expect: id === '{other}' ? statusFor(auth, [403]) : statusForId(auth, [404]),
        })),
        // Valid changes by the owner, a password change needing the current one.
        fc
          .record({ username: usernameBase, password: fc.option(anyPassword.map((text) => `${text}PW{n}zq`), { nil: undefined }) })
          .map(({ username, password }) => ({
            method: 'PUT',
            path: '/api/users/{self}',
            auth: 'fresh' as const,
            type: 'application/json',
            body: jsonText([
              ['username', `${username}-v{n}`],
              ['email', 'v{n}@example.com'],
              ...(password === undefined ? [] : ([['password', password], ['old_password', 'secret']] as [string, string][])),
            ]),
            expect: [200],
            secret: 'PW{n}zq',
            ...(password === undefined ? {} : { thenLogin: { username: `${username}-v{n}`, password, expect: 200 } }),
          })),
      ),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('DELETE /api/users/:id deletes only one’s own record', () =>
    run(
      fc.oneof(
        fc.constant<Draft>({ method: 'DELETE', path: '/api/users/{self}', auth: 'fresh', expect: [204] }),
        fc.record({ id: fc.oneof(fc.constant('{other}'), badId), auth: bearer }).map(({ id, auth }) => ({
          method: 'DELETE',
          path: `/api/users/${id}`,
          auth,
          expect: id === '{other}' ? statusFor(auth, [403]) : statusForId(auth, [404]),
        })),
      ),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('POST /api/tokens gives a token only for the right Basic credentials; a body changes nothing', () =>
    run(
      fc.record({ body: fc.option(notAnObject, { nil: undefined }), type: jsonType }).chain(({ body, type }) =>
        fc.oneof(
          garbageAuthorization.map((header) => ({ auth: { header } as Auth, expect: [401] })),
          fc.constantFrom(
            { auth: { basic: ['keeper-nobody', 'secret'] } as Auth, expect: [401] },
            { auth: 'none' as Auth, expect: [401] },
          ),
          fc.oneof(hostileString, fc.constant('secret')).map((password) => ({
            auth: { basic: [keeper.username, password] } as Auth,
            expect: [password === 'secret' ? 200 : 401],
          })),
        ).map(({ auth, expect }) => ({ method: 'POST', path: '/api/tokens', auth, type, body, expect })),
      ),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('DELETE /api/tokens revokes a live token and nothing else', () =>
    run(
      fc.record({ body: fc.option(notAnObject, { nil: undefined }), auth: fc.oneof(fc.constant<Auth>('fresh'), bearer.filter((auth) => auth !== 'keeper')) }).map(
        ({ body, auth }) => ({
          method: 'DELETE',
          path: '/api/tokens',
          auth,
          type: 'application/json',
          body,
          expect: statusFor(auth, [204]),
        }),
      ),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('POST /api/posts takes any title and body within the limits, any text at all, from a signed-in author only', () =>
    run(
      fc
        .record({
          title: postText.filter((text) => text.trim().length > 0 && text.length <= 255),
          body: postText.filter((text) => text.trim().length > 0),
          summary: fc.option(postText.filter((text) => [...text].length <= 500), { nil: undefined }),
          extra: extraKeys,
          auth: bearer,
        })
        .map(({ title, body, summary, extra, auth }) => ({
          method: 'POST',
          path: '/api/posts',
          auth,
          type: 'application/json',
          body: jsonText([...Object.entries(extra), ['title', title], ['body', body], ...(summary === undefined ? [] : [['summary', summary] as [string, unknown]])]),
          expect: statusFor(auth, [201]),
        })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('POST and PUT /api/posts refuse invalid bodies with 400, others’ posts with 403 and unknown ids with 404', () =>
    run(
      fc
        .record({
          body: fc.oneof(
            // The broken field is always sent: a change that names neither is a valid one.
            objectBody({ title: fc.oneof(fc.constant(''), fc.constant('   '), fc.constant(7), fc.string({ unit: fc.constantFrom('a', 'é', '😀'), minLength: 256, maxLength: 300 })), body: postText }).filter((body) => sends(body, 'title')),
            objectBody({ title: postText, body: fc.oneof(fc.constant(null), fc.constant(''), fc.constant([])) }).filter((body) => sends(body, 'body')),
            // What is no JSON object at all (an object naming no field of a post is a valid, empty change).
            notAnObject.filter((body) => !isObject(body)),
          ),
          target: fc.constantFrom('new', '{selfPost}', '{otherPost}', '987654321'),
          auth: bearer,
        })
        .map(({ body, target, auth }) => ({
          method: target === 'new' ? 'POST' : 'PUT',
          path: target === 'new' ? '/api/posts' : `/api/posts/${target}`,
          auth,
          type: 'application/json',
          body,
          // A body that is not JSON at all is refused as it is read, before the token and the post are looked at.
          expect: auth === 'keeper' ? (target === '{otherPost}' ? [403, 400] : target === '987654321' ? [404, 400] : [400]) : [400, 401],
        })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('GET /api/posts and an author’s posts page through whatever page and per_page say, with no token needed', () =>
    run(
      fc.record({ query: hostileQuery, path: fc.constantFrom('/api/posts', '/api/posts/', '/api/users/{other}/posts'), auth: bearer }).map(({ query, path, auth }) => ({
        method: 'GET',
        path: `${path}?${query}`,
        auth,
        expect: [200],
      })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('GET /api/posts/:id is 404 for anything but an existing id', () =>
    run(
      fc
        .record({
          id: fc.oneof(badId.map((id) => ({ id, found: false })), fc.constantFrom({ id: '{otherPost}', found: true }, { id: '987654321', found: false })),
          auth: bearer,
        })
        .map(({ id, auth }) => ({ method: 'GET', path: `/api/posts/${id.id}`, auth, expect: id.found ? [200] : [404] })),
    ),
    PROPERTY_TIMEOUT_MS,
  )

  test('a method a path does not serve is 405 with Allow; a preflight is 204; every route bounds its body', () =>
    run(
      fc
        .record({
          path: fc.constantFrom('/api/ping', '/api/users', '/api/users/{other}', '/api/tokens', '/api/posts', '/api/posts/{otherPost}', '/api/users/{other}/posts'),
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'OPTIONS'),
          framing: fc.constantFrom('none', 'oversized', 'chunked'),
          auth: bearer,
        })
        .map(({ path, method, framing, auth }): Draft => {
          const served: Record<string, string[]> = {
            '/api/ping': ['GET'],
            '/api/users': ['GET', 'POST'],
            '/api/users/{other}': ['GET', 'PUT', 'DELETE'],
            '/api/tokens': ['POST', 'DELETE'],
            '/api/posts': ['GET', 'POST'],
            '/api/posts/{otherPost}': ['GET', 'PUT', 'DELETE'],
            '/api/users/{other}/posts': ['GET'],
          }
          const headers: Record<string, string> =
            framing === 'oversized' ? { 'content-length': String(2 ** 30) } : framing === 'chunked' ? { 'transfer-encoding': 'chunked' } : {}
          const framingStatus = framing === 'oversized' ? 413 : framing === 'chunked' ? 411 : undefined
          // Framing is judged on arrival, before routing; otherwise the route's own rules apply.
          const expected =
            framingStatus ?? (method === 'OPTIONS' ? 204 : served[path]!.includes(method) ? undefined : 405)
          return {
            method,
            path,
            // The keeper's token must outlive this test.
            auth: method === 'DELETE' && path === '/api/tokens' && auth === 'keeper' ? 'fresh' : auth,
            headers,
            expect: expected === undefined ? [200, 201, 204, 400, 401, 403, 404] : [expected],
          }
        }),
    ),
    PROPERTY_TIMEOUT_MS,
  )
})
