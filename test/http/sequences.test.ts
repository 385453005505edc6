import { beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { testApp, testConfig, type CallResult } from '../helpers'
import { contractViolations, type Document } from './contract'
import { fcOptions, PROPERTY_TIMEOUT_MS } from './hostile'

/**
 * Model-based test: random sequences of register, login, use, posts, change password, revoke and delete run against
 * the app and against a model that is a few maps. The model predicts every status; the app must agree at every
 * step, and every answer must be one the OpenAPI document declares.
 */

const RUNS = 60
const NAMES = ['ann', 'bob', 'cy']
const PASSWORDS = ['pw-one', 'pw-two', 'pw-three']
/** A password choice: one of PASSWORDS, or whatever the model says is the user's password now. */
type Guess = number | 'current'

interface Account {
  id: number
  password: string
}
interface Token {
  value: string
  ownerId: number
  live: boolean
}
interface Model {
  /** Users alive now, by lower-case name (names are unique regardless of case). */
  users: Map<string, Account>
  /** Every token ever issued in this run; a client keeps dead ones and may still send them. */
  tokens: Token[]
  /** The id each name was last registered under, so that requests can name deleted users too. */
  ids: Map<string, number>
  /** Keeps runs apart on the one shared app. */
  prefix: string
  /** This run's posts alive now: their author's id, by post id. */
  posts: Map<number, number>
  /** Every post id this run was given, deleted ones too, so that requests can name them. */
  postIds: number[]
}

// Brute-force limits have their own tests; a sequence logs in wrongly on purpose, often.
const UNLIMITED = {
  rateLimits: { ...testConfig().rateLimits, loginMaxFailures: 1e9, loginMaxFailuresPerAddress: 1e9, registerMaxPerHour: 0 },
}
let harness: ReturnType<typeof testApp>
let doc: Document
let runs = 0

async function call(method: string, path: string, options: Parameters<typeof harness.call>[2] = {}): Promise<CallResult> {
  const response = await harness.call(method, path, options)
  const violations = contractViolations(doc, method, path.split('?')[0]!, response)
  expect(violations, `${method} ${path} -> ${response.status} ${response.text}`).toEqual([])
  return response
}

const nameOf = (model: Model, index: number, upper: boolean) => {
  const name = NAMES[index]!
  return `${model.prefix}${upper ? name.toUpperCase() : name}`
}
const ownerOf = (model: Model, token: Token) => [...model.users.values()].find((account) => account.id === token.ownerId)
const kill = (model: Model, ownerId: number) => model.tokens.forEach((token) => token.ownerId === ownerId && (token.live = false))
/** A post this run was given (deleted or not), or one that never existed. */
const postOf = (model: Model, which: number | undefined) =>
  which === undefined || model.postIds.length === 0 ? 987_654 : model.postIds[model.postIds.length - 1 - (which % model.postIds.length)]!

type Command = fc.AsyncCommand<Model, object>

class Register implements Command {
  constructor(readonly name: number, readonly upper: boolean, readonly password: number) {}
  check = () => true
  async run(model: Model) {
    const username = nameOf(model, this.name, this.upper)
    const key = username.toLowerCase()
    const response = await call('POST', '/api/users', {
      body: { username, email: `${key}@example.com`, password: PASSWORDS[this.password] },
    })
    expect(response.status, this.toString()).toBe(model.users.has(key) ? 400 : 201)
    if (response.status === 201) {
      model.users.set(key, { id: response.body.id, password: PASSWORDS[this.password]! })
      model.ids.set(key, response.body.id)
    }
  }
  toString = () => `register(${NAMES[this.name]}${this.upper ? '↑' : ''}, ${PASSWORDS[this.password]})`
}

const guessed = (guess: Guess, account: Account | undefined) =>
  guess === 'current' ? (account?.password ?? PASSWORDS[0]!) : PASSWORDS[guess]!

class Login implements Command {
  constructor(readonly name: number, readonly upper: boolean, readonly password: Guess) {}
  check = () => true
  async run(model: Model) {
    const username = nameOf(model, this.name, this.upper)
    const account = model.users.get(username.toLowerCase())
    const password = guessed(this.password, account)
    const response = await call('POST', '/api/tokens', { basic: [username, password] })
    const ok = account !== undefined && account.password === password
    expect(response.status, this.toString()).toBe(ok ? 200 : 401)
    if (ok) model.tokens.push({ value: response.body.token, ownerId: account.id, live: true })
  }
  toString = () => `login(${NAMES[this.name]}${this.upper ? '↑' : ''}, ${this.password === 'current' ? 'current' : PASSWORDS[this.password]})`
}

/** A command made with a token, counted back from the newest of the run's tokens, live or dead. */
abstract class WithToken implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.tokens.length > 0
  token = (model: Model) => model.tokens[model.tokens.length - 1 - (this.pick % model.tokens.length)]!
  abstract run(model: Model): Promise<void>
}

class ReadOwn extends WithToken {
  async run(model: Model) {
    const token = this.token(model)
    const response = await call('GET', `/api/users/${token.ownerId}`, { token: token.value })
    expect(response.status, this.toString()).toBe(token.live ? 200 : 401)
    if (token.live) expect(response.body.email).toBeString()
  }
  toString = () => `readOwn(#${this.pick})`
}

class List extends WithToken {
  async run(model: Model) {
    const token = this.token(model)
    const response = await call('GET', '/api/users?per_page=100', { token: token.value })
    expect(response.status, this.toString()).toBe(token.live ? 200 : 401)
  }
  toString = () => `list(#${this.pick})`
}

class ReadOther extends WithToken {
  constructor(pick: number, readonly target: number) {
    super(pick)
  }
  async run(model: Model) {
    const token = this.token(model)
    const id = model.ids.get(nameOf(model, this.target, false)) ?? 987_654
    const response = await call('GET', `/api/users/${id}`, { token: token.value })
    const exists = [...model.users.values()].some((account) => account.id === id)
    expect(response.status, this.toString()).toBe(!token.live ? 401 : exists ? 200 : 404)
  }
  toString = () => `readOther(#${this.pick}, ${NAMES[this.target]})`
}

class ChangePassword extends WithToken {
  constructor(pick: number, readonly next: number, readonly current: Guess) {
    super(pick)
  }
  async run(model: Model) {
    const token = this.token(model)
    const owner = token.live ? ownerOf(model, token) : undefined
    const current = guessed(this.current, owner)
    const response = await call('PUT', `/api/users/${token.ownerId}`, {
      token: token.value,
      body: { password: PASSWORDS[this.next], old_password: current },
    })
    const ok = owner !== undefined && owner.password === current
    expect(response.status, this.toString()).toBe(!token.live ? 401 : ok ? 200 : 400)
    if (ok) {
      owner.password = PASSWORDS[this.next]!
      kill(model, owner.id)
    }
  }
  toString = () =>
    `changePassword(#${this.pick}, ${this.current === 'current' ? 'current' : PASSWORDS[this.current]} -> ${PASSWORDS[this.next]})`
}

class Revoke extends WithToken {
  async run(model: Model) {
    const token = this.token(model)
    const response = await call('DELETE', '/api/tokens', { token: token.value })
    expect(response.status, this.toString()).toBe(token.live ? 204 : 401)
    token.live = false
  }
  toString = () => `revoke(#${this.pick})`
}

class DeleteUser extends WithToken {
  constructor(pick: number, readonly target: number | undefined) {
    super(pick)
  }
  async run(model: Model) {
    const token = this.token(model)
    const id = this.target === undefined ? token.ownerId : (model.ids.get(nameOf(model, this.target, false)) ?? 987_654)
    const response = await call('DELETE', `/api/users/${id}`, { token: token.value })
    const exists = [...model.users.values()].some((account) => account.id === id)
    const expected = !token.live ? 401 : !exists ? 404 : id !== token.ownerId ? 403 : 204
    expect(response.status, this.toString()).toBe(expected)
    if (expected === 204) {
      for (const [name, account] of model.users) if (account.id === id) model.users.delete(name)
      kill(model, id)
      // Their posts go with them.
      for (const [post, author] of model.posts) if (author === id) model.posts.delete(post)
    }
  }
  toString = () => `delete(#${this.pick}, ${this.target === undefined ? 'self' : NAMES[this.target]})`
}

class WritePost extends WithToken {
  async run(model: Model) {
    const token = this.token(model)
    const response = await call('POST', '/api/posts', { token: token.value, body: { title: `t${model.postIds.length}`, body: 'b' } })
    expect(response.status, this.toString()).toBe(token.live ? 201 : 401)
    if (token.live) {
      model.posts.set(response.body.id, token.ownerId)
      model.postIds.push(response.body.id)
    }
  }
  toString = () => `writePost(#${this.pick})`
}

/** PUT or DELETE of a post: 401 for a dead token, 404 for no post, 403 for another author's. */
class ChangePost extends WithToken {
  constructor(pick: number, readonly which: number | undefined, readonly remove: boolean) {
    super(pick)
  }
  async run(model: Model) {
    const token = this.token(model)
    const id = postOf(model, this.which)
    const author = model.posts.get(id)
    const response = this.remove
      ? await call('DELETE', `/api/posts/${id}`, { token: token.value })
      : await call('PUT', `/api/posts/${id}`, { token: token.value, body: { title: 'edited' } })
    const expected = !token.live ? 401 : author === undefined ? 404 : author !== token.ownerId ? 403 : this.remove ? 204 : 200
    expect(response.status, this.toString()).toBe(expected)
    if (expected === 204) model.posts.delete(id)
  }
  toString = () => `${this.remove ? 'deletePost' : 'editPost'}(#${this.pick}, ${this.which ?? 'none'})`
}

/** Public reads: one post, and an author's posts, whose total the model knows. */
class ReadPosts implements Command {
  constructor(readonly which: number | undefined) {}
  check = () => true
  async run(model: Model) {
    const id = postOf(model, this.which)
    const author = model.posts.get(id)
    const response = await call('GET', `/api/posts/${id}`)
    expect(response.status, this.toString()).toBe(author === undefined ? 404 : 200)
    if (author === undefined) return
    const theirs = await call('GET', `/api/users/${author}/posts?per_page=100`)
    expect(theirs.body._meta.total_items, this.toString()).toBe([...model.posts.values()].filter((a) => a === author).length)
  }
  toString = () => `readPosts(${this.which ?? 'none'})`
}

const name = fc.nat({ max: NAMES.length - 1 })
const password = fc.nat({ max: PASSWORDS.length - 1 })
const guess = fc.oneof(fc.constant<Guess>('current'), password)
// Mostly the newest token, so that sequences go on using live ones.
const pick = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.nat({ max: 5 }))
const commands = fc.commands(
  [
    ...[1, 2].map(() => fc.tuple(name, fc.boolean(), password).map(([n, upper, p]) => new Register(n, upper, p))),
    ...[1, 2].map(() => fc.tuple(name, fc.boolean(), guess).map(([n, upper, p]) => new Login(n, upper, p))),
    pick.map((t) => new ReadOwn(t)),
    pick.map((t) => new List(t)),
    fc.tuple(pick, name).map(([t, n]) => new ReadOther(t, n)),
    fc.tuple(pick, password, guess).map(([t, next, current]) => new ChangePassword(t, next, current)),
    pick.map((t) => new Revoke(t)),
    fc.tuple(pick, fc.option(name, { nil: undefined, freq: 3 })).map(([t, target]) => new DeleteUser(t, target)),
    ...[1, 2].map(() => pick.map((t) => new WritePost(t))),
    fc.tuple(pick, fc.option(fc.nat({ max: 5 }), { nil: undefined, freq: 5 }), fc.boolean()).map(([t, which, remove]) => new ChangePost(t, which, remove)),
    fc.option(fc.nat({ max: 5 }), { nil: undefined, freq: 5 }).map((which) => new ReadPosts(which)),
  ],
  { maxCommands: 30, size: 'max' },
)

describe('register → login → use → write, edit and delete posts → change password → revoke → delete, in any order', () => {
  beforeAll(async () => {
    harness = testApp(UNLIMITED)
    doc = (await harness.call('GET', '/swagger/json')).body
  })

  test('the app agrees with the model at every step', () =>
    fc.assert(
      fc.asyncProperty(commands, (sequence) =>
        fc.asyncModelRun(
          () => ({ model: { users: new Map(), tokens: [], ids: new Map(), prefix: `r${++runs}-`, posts: new Map(), postIds: [] }, real: {} }),
          sequence,
        ),
      ),
      fcOptions(RUNS),
    ),
    PROPERTY_TIMEOUT_MS,
  )
})
