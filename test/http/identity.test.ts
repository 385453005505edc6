import { describe, expect, test } from 'bun:test'
import { codes, graphqlApp, MSG } from '../graphql/client'
import { testApp } from '../helpers'

const register = (username: string, email = `${crypto.randomUUID()}@example.com`) => ({
  body: { username, email, password: 'secret' },
})

// Each would display as `admin`, or nearly, beside the real one.
const LOOKALIKES = ['ADMIN', 'ａｄｍｉｎ', '𝐚𝐝𝐦𝐢𝐧', 'admin ', ' admin', 'admin\u00a0', 'ad\u200bmin', 'ad\u200dmin', 'ad\u00admin', '\ufeffadmin', '\u202enimda', '\u200b\u200b', 'аdmin']

describe('one person, one name (REST)', () => {
  test('with admin registered, no lookalike of it becomes a second account', async () => {
    const { call, signUp } = testApp()
    await signUp('admin')
    for (const name of LOOKALIKES) {
      const answer = await call('POST', '/api/users', register(name))
      expect({ name, status: answer.status }).toEqual({ name, status: 400 })
      expect([MSG.username, MSG.usernameTaken]).toContain(answer.body.message.username)
    }
    const listed = await call('GET', '/api/users', { token: (await signUp('viewer')).token })
    expect(listed.body._meta.total_items).toBe(2)
  })

  test('case and composition beyond A–Z are one identity; the name is stored in NFKC', async () => {
    const { call } = testApp()
    for (const [first, second] of [['ärger', 'ÄRGER'], ['kelvin', '\u212Aelvin'], ['josé', 'jose\u0301']]) {
      expect((await call('POST', '/api/users', register(first!))).status).toBe(201)
      const refused = await call('POST', '/api/users', register(second!))
      expect(refused.status).toBe(400)
      expect(refused.body.message).toEqual({ username: MSG.usernameTaken })
    }
    const created = await call('POST', '/api/users', register('ｂｏｂ'))
    expect(created.body.username).toBe('bob')
  })

  test('ÄLICE logs into älice, with Basic auth in any spelling of the identity', async () => {
    const { call, signUp } = testApp()
    await signUp('älice')
    for (const name of ['ÄLICE', 'älice', 'a\u0308lice', 'ＡＬＩＣＥ'.replace('Ａ', 'Ä')])
      expect({ name, status: (await call('POST', '/api/tokens', { basic: [name, 'secret'] })).status }).toEqual({ name, status: 200 })
  })

  test('Unicode names of any script work: 张三, and the tutorial pinyin', async () => {
    const { call } = testApp()
    for (const name of ['张三', 'lisi', 'zhangsan', 'José'])
      expect((await call('POST', '/api/users', register(name))).body.username).toBe(name)
    expect((await call('POST', '/api/tokens', { basic: ['张三', 'secret'] })).status).toBe(200)
    expect((await call('POST', '/api/users', register("o'brien"))).body.message).toEqual({ username: MSG.username })
  })

  test('emails are unique regardless of case in any script, stored with the domain lower-cased', async () => {
    const { call } = testApp()
    const created = await call('POST', '/api/users', register('first', 'ÄLICE@Example.COM'))
    expect(created.status).toBe(201)
    const refused = await call('POST', '/api/users', register('second', 'älice@example.com'))
    expect(refused.body.message).toEqual({ email: MSG.emailTaken })
    const login = await call('POST', '/api/tokens', { basic: ['first', 'secret'] })
    expect((await call('GET', `/api/users/${created.body.id}`, { token: login.body.token })).body.email).toBe('ÄLICE@example.com')
  })

  test('a rename obeys the same rule', async () => {
    const { call, signUp } = testApp()
    await signUp('ärger')
    const other = await signUp('other')
    const rename = (username: string) => call('PUT', `/api/users/${other.id}`, { token: other.token, body: { username } })
    expect((await rename('ÄRGER')).body.message).toEqual({ username: MSG.usernameTaken })
    expect((await rename('ad\u200bmin')).body.message).toEqual({ username: MSG.username })
    expect((await rename('ＯＴＨＥＲ')).body.username).toBe('OTHER') // its own identity, respelled
  })

  test('failed logins count per identity: ÄRGER locks out ärger, which is the same account, and no other', async () => {
    const { call, signUp } = testApp()
    await signUp('ärger')
    await signUp('aerger')
    for (let i = 0; i < 10; i++) expect((await call('POST', '/api/tokens', { basic: ['ÄRGER', 'wrong'] })).status).toBe(401)
    expect((await call('POST', '/api/tokens', { basic: ['ärger', 'secret'] })).status).toBe(429)
    expect((await call('POST', '/api/tokens', { basic: ['aerger', 'secret'] })).status).toBe(200)
  })
})

describe('one person, one name (GraphQL)', () => {
  const createUser = `mutation ($username: String!, $email: String!) { createUser(input: {username: $username, email: $email, password: "secret"}) { username } }`
  const createToken = `mutation ($username: String!) { createToken(username: $username, password: "secret") { token } }`

  test('createUser and createToken follow the same rule as REST', async () => {
    const { gql } = graphqlApp()
    expect((await gql(createUser, { variables: { username: 'ärger', email: 'a@example.com' } })).body.data.createUser.username).toBe('ärger')
    const taken = await gql(createUser, { variables: { username: 'ÄRGER', email: 'b@example.com' } })
    expect(codes(taken.body)).toEqual(['BAD_USER_INPUT'])
    expect(taken.body.errors[0].extensions.fields).toEqual({ username: MSG.usernameTaken })
    const invisible = await gql(createUser, { variables: { username: 'ad\u200dmin', email: 'c@example.com' } })
    expect(invisible.body.errors[0].extensions.fields).toEqual({ username: MSG.username })
    expect((await gql(createToken, { variables: { username: 'ÄRGER' } })).body.data.createToken.token).toBeString()
  })
})
