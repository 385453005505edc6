import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'
import { jsonText } from './hostile'
import { userBody } from '../messages'

/**
 * Unknown JSON members never reach a column a client may not set. Each check reads the row itself, since an
 * answer that looks right could still hide a write.
 */

type Row = {
  id: number
  username: string
  username_key: string
  email: string
  email_key: string
  password_hash: string
  created_at: number
  updated_at: number
}

const SMUGGLED: [string, unknown][] = [
  ['id', 999],
  ['password_hash', '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'],
  ['passwordHash', 'plain'],
  ['created_at', 0],
  ['createdAt', 0],
  ['updated_at', 0],
  ['updatedAt', 0],
  ['username_key', 'admin'],
  ['usernameKey', 'admin'],
  ['email_key', 'admin@example.com'],
  ['email_verified', true],
  ['posts_count', 1000],
  ['postsCount', 1000],
  ['last_seen', 0],
  ['member_since', 0],
  ['is_admin', true],
  ['__proto__', { is_admin: true, username: 'proto-name', password: 'proto-password', old_password: 'secret' }],
  ['constructor', { prototype: { is_admin: true } }],
]

const rows = (harness: ReturnType<typeof testApp>) => harness.sql<Row>('SELECT * FROM users ORDER BY id')

const COLUMNS = ['id', 'username', 'username_key', 'email', 'email_key', 'password_hash', 'created_at', 'updated_at', 'name', 'location', 'about_me', 'last_seen', 'posts_count']

describe('REST', () => {
  test('POST /api/users sets only username, email and the hash of the password', async () => {
    const h = testApp()
    const { call } = h
    const started = Date.now()
    const body = jsonText([...SMUGGLED, ['username', 'ann'], ['email', 'ann@example.com'], ['password', 'secret']])
    const response = await call('POST', '/api/users', { body })
    expect(response.status).toBe(201)
    expect(response.body).toEqual(userBody(1, 'ann'))
    const [row] = await rows(h)
    expect(Object.keys(row!).sort()).toEqual([...COLUMNS].sort())
    expect(row!.id).toBe(1)
    expect(row!.username).toBe('ann')
    expect(await Bun.password.verify('secret', row!.password_hash)).toBe(true)
    expect(row!.created_at).toBeGreaterThanOrEqual(started - 1000)
    expect(row!.updated_at).toBeGreaterThanOrEqual(started - 1000)
    expect((await call('POST', '/api/tokens', { basic: ['ann', 'secret'] })).status).toBe(200)
    expect(({} as Record<string, unknown>).is_admin).toBeUndefined()
  })

  test('PUT /api/users/:id changes only what it names, and only on the caller’s row', async () => {
    const h = testApp()
    const { call, signUp } = h
    const ann = await signUp('ann')
    const bob = await signUp('bob')
    const [annBefore, bobBefore] = await rows(h)
    await Bun.sleep(5)
    const body = jsonText([...SMUGGLED, ['id', bob.id], ['email', 'ann@new.example.com']])
    const response = await call('PUT', `/api/users/${ann.id}`, { token: ann.token, body })
    expect(response.status).toBe(200)
    expect(response.body).toEqual(userBody(ann.id, 'ann', { email: 'ann@new.example.com' }))
    const [annAfter, bobAfter] = await rows(h)
    expect(annAfter).toEqual({ ...annBefore!, email: 'ann@new.example.com', email_key: 'ann@new.example.com', updated_at: annAfter!.updated_at })
    expect(annAfter!.updated_at).toBeGreaterThan(annBefore!.updated_at)
    expect(bobAfter).toEqual(bobBefore!)
    // The password inside __proto__ was not a password change: the old one still works, the token still lives.
    expect((await call('POST', '/api/tokens', { basic: ['ann', 'secret'] })).status).toBe(200)
    expect((await call('GET', `/api/users/${ann.id}`, { token: ann.token })).status).toBe(200)
  })

  test('a body of nothing but forbidden members changes no column but updated_at', async () => {
    const h = testApp()
    const { call, signUp } = h
    const ann = await signUp('ann')
    const [before] = await rows(h)
    const response = await call('PUT', `/api/users/${ann.id}`, { token: ann.token, body: jsonText(SMUGGLED) })
    expect(response.status).toBe(200)
    const [after] = await rows(h)
    expect({ ...after!, updated_at: 0 }).toEqual({ ...before!, updated_at: 0 })
  })
})
