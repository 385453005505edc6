import { describe, expect, test } from 'bun:test'
import { openMigratedDatabase } from '../../src/app'
import { sqliteStore } from '../../src/db/store'
import { InvalidCredentialsError, NotFoundError, ValidationError } from '../../src/services/errors'
import { createServices } from '../../src/services'
import { checkNewUser, checkUserChanges } from '../../src/services/input'
import type { PasswordHasher } from '../../src/services/passwords'
import type { User } from '../../src/services/users'
import { testApp, testConfig } from '../helpers'
import { MSG, badRequest } from '../messages'

/**
 * A hasher whose verifications can be held open, so a test decides exactly which write commits while another
 * request is between its password check and its own write: the window the immediate transactions close.
 */
function gatedHasher() {
  const real = { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 } as const
  let gate: Promise<void> | undefined
  let waiting: () => void = () => {}
  const hasher: PasswordHasher = {
    hash: (password) => Bun.password.hash(password, real),
    async verify(password, stored) {
      const held = gate
      if (held) {
        gate = undefined // only the next verification is held
        waiting()
        await held
      }
      return stored !== undefined && Bun.password.verify(password, stored)
    },
  }
  /** Holds the next verification; resolves `paused` once it is waiting, and returns the release. */
  function holdNext() {
    let release!: () => void
    gate = new Promise<void>((resolve) => (release = resolve))
    const paused = new Promise<void>((resolve) => (waiting = resolve))
    return { paused, release }
  }
  return { hasher, holdNext }
}

const CLIENT = '127.0.0.1'

function services() {
  const config = testConfig()
  const { db } = openMigratedDatabase(config)
  const { hasher, holdNext } = gatedHasher()
  const { users, tokens } = createServices(sqliteStore(db), config, { hasher })
  return {
    db,
    users: {
      register: (input: typeof ALICE) => users.register(checkNewUser(input), CLIENT),
      update: (actor: User, id: number, sent: { password: string; oldPassword: string }) =>
        users.update(actor, id, checkUserChanges(sent), CLIENT),
      remove: users.remove,
    },
    tokens: {
      login: (username: string, password: string) => tokens.login({ username, password }, CLIENT),
      authenticate: tokens.authenticate,
    },
    holdNext,
  }
}

const ALICE = { username: 'alice', email: 'alice@example.com', password: 'old-secret' }

describe('a login racing a password change', () => {
  test('a login verified before the change but finishing after it gets no token', async () => {
    const { users, tokens, holdNext } = services()
    const alice = await users.register(ALICE)
    const { paused, release } = holdNext()
    const login = tokens.login('alice', 'old-secret')
    await paused // the login has read the old hash and is verifying against it
    await users.update(alice, alice.id, { password: 'new-secret', oldPassword: 'old-secret' })
    release()
    await expect(login).rejects.toBeInstanceOf(InvalidCredentialsError)
    expect((await tokens.login('alice', 'new-secret')).token).toHaveLength(43)
  })

  test('a login verified before the account is deleted gets a 401, not a foreign-key failure', async () => {
    const { users, tokens, holdNext } = services()
    const alice = await users.register(ALICE)
    const { paused, release } = holdNext()
    const login = tokens.login('alice', 'old-secret')
    await paused
    users.remove(alice, alice.id)
    release()
    await expect(login).rejects.toBeInstanceOf(InvalidCredentialsError)
  })

  test('a password change revokes every token issued before it, in the same transaction', async () => {
    const { db, users, tokens } = services()
    const alice = await users.register(ALICE)
    const issued = await Promise.all([1, 2, 3].map(() => tokens.login('alice', 'old-secret')))
    await users.update(alice, alice.id, { password: 'new-secret', oldPassword: 'old-secret' })
    for (const { token } of issued) expect(() => tokens.authenticate(token)).toThrow()
    expect(db.$client.query('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 0 })
  })
})

describe('two password changes from the same old password', () => {
  test('the second one to commit is refused: its old_password no longer matches', async () => {
    const { users, tokens, holdNext } = services()
    const alice = await users.register(ALICE)
    const { paused, release } = holdNext()
    const slow = users.update(alice, alice.id, { password: 'slow-secret', oldPassword: 'old-secret' })
    await paused
    await users.update(alice, alice.id, { password: 'fast-secret', oldPassword: 'old-secret' })
    release()
    const refused = await slow.catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).detail).toEqual({ oldPassword: expect.any(String) })
    expect((await tokens.login('alice', 'fast-secret')).token).toHaveLength(43)
    await expect(tokens.login('alice', 'slow-secret')).rejects.toBeInstanceOf(InvalidCredentialsError)
  })

  test('a change finishing after the account was deleted is a 404, not a silent no-op', async () => {
    const { users, holdNext } = services()
    const alice = await users.register(ALICE)
    const { paused, release } = holdNext()
    const change = users.update(alice, alice.id, { password: 'new-secret', oldPassword: 'old-secret' })
    await paused
    users.remove(alice, alice.id)
    release()
    await expect(change).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('concurrent writes over HTTP', () => {
  test('two users renaming themselves to the same name at once: one 200 and one 400, never a 500', async () => {
    for (let round = 0; round < 20; round++) {
      const { call, signUp } = testApp()
      const a = await signUp('ann')
      const b = await signUp('bob')
      const target = round % 2 ? 'Taken' : 'taken'
      const answers = await Promise.all([
        call('PUT', `/api/users/${a.id}`, { token: a.token, body: { username: target } }),
        call('PUT', `/api/users/${b.id}`, { token: b.token, body: { username: target.toUpperCase() } }),
      ])
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400])
      const refused = answers.find((answer) => answer.status === 400)!
      expect(refused.body).toEqual(badRequest({ username: MSG.usernameTaken }))
    }
  })

  test('the same email claimed by two users at once, each also changing their password', async () => {
    const { call, signUp } = testApp()
    const a = await signUp('ann')
    const b = await signUp('bob')
    const change = { email: 'shared@example.com', password: 'next-secret', old_password: 'secret' }
    const answers = await Promise.all([
      call('PUT', `/api/users/${a.id}`, { token: a.token, body: change }),
      call('PUT', `/api/users/${b.id}`, { token: b.token, body: change }),
    ])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400])
    // The loser's tokens survive: its transaction rolled back whole, revocation included.
    const loser = answers[0]!.status === 400 ? a : b
    expect((await call('GET', `/api/users/${loser.id}`, { token: loser.token })).status).toBe(200)
  })
})
