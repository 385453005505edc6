import { describe, expect, test } from 'bun:test'
import { SEEN_EVERY_MS } from '../../src/services/deferred-writes'
import { testApp } from '../helpers'
import { badRequest, userBody } from '../messages'

describe('profiles', () => {
  test('PUT /api/users/<id> sets name, location and about_me (trimmed; empty or null clears), self only', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const bob = await signUp('bob')
    const set = await call('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { name: ' Alice ', location: 'Paris', about_me: '😀'.repeat(1000) } })
    expect(set.status).toBe(200)
    expect(set.body).toEqual(userBody(alice.id, 'alice', { email: 'alice@example.com', name: 'Alice', location: 'Paris', about_me: '😀'.repeat(1000) }))
    const cleared = await call('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { location: '', about_me: null } })
    expect(cleared.body).toMatchObject({ name: 'Alice', location: null, about_me: null })
    expect((await call('GET', `/api/users/${alice.id}`, { token: bob.token })).body).toEqual(userBody(alice.id, 'alice', { name: 'Alice' }))
    expect((await call('PUT', `/api/users/${alice.id}`, { token: bob.token, body: { name: 'x' } })).status).toBe(403)
  })

  test.each([
    ['a name of 65 characters', { name: 'x'.repeat(65) }, { name: 'Please use a shorter name.' }],
    ['a location of 65 characters', { location: 'x'.repeat(65) }, { location: 'Please use a shorter location.' }],
    ['an about_me of 1,001 characters', { about_me: 'x'.repeat(1001) }, { about_me: 'Please use a shorter about me.' }],
    ['a number for a name', { name: 5 }, { name: 'Please provide text or null.' }],
  ])('%s is a 400 in the tutorial’s style', async (_, body, message) => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const response = await call('PUT', `/api/users/${alice.id}`, { token: alice.token, body })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(badRequest(message))
  })

  test('GraphQL updateUser sets the profile, and User shows it with memberSince, lastSeen and postsCount', async () => {
    const { call, signUp } = testApp()
    const alice = await signUp('alice')
    const mutation = `mutation ($id: ID!) { updateUser(id: $id, input: { name: "Alice", aboutMe: "Hi" }) {
      name location aboutMe memberSince lastSeen postsCount } }`
    const response = await call('POST', '/graphql', { token: alice.token, body: { query: mutation, variables: { id: Buffer.from(`User:${alice.id}`).toString('base64url') } } })
    expect(response.body.data.updateUser).toMatchObject({ name: 'Alice', location: null, aboutMe: 'Hi', postsCount: 0 })
    expect(Date.parse(response.body.data.updateUser.memberSince)).toBeGreaterThan(0)
    const tooLong = await call('POST', '/graphql', {
      token: alice.token,
      body: { query: `mutation { updateUser(id: "${Buffer.from(`User:${alice.id}`).toString('base64url')}", input: { location: "${'x'.repeat(65)}" }) { id } }` },
    })
    expect(tooLong.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { location: 'Please use a shorter location.' } })
  })

  test('last_seen moves on an authenticated request at most once a minute, written in the next batch, never on the read', async () => {
    let now = Date.now()
    const { app, call, signUp, sql } = testApp({}, { now: () => now })
    const alice = await signUp('alice')
    const stored = async () => (await sql<{ last_seen: number }>('SELECT last_seen FROM users WHERE id = ?', alice.id))[0]!.last_seen
    await app.store.deferredWrites.flush()
    const joined = await stored()
    now = joined + SEEN_EVERY_MS - 1
    await call('GET', `/api/users/${alice.id}`, { token: alice.token })
    await app.store.deferredWrites.flush()
    expect(await stored()).toBe(joined) // within the minute of the login: nothing queued
    now += 2
    await call('GET', `/api/users/${alice.id}`, { token: alice.token })
    expect(await stored()).toBe(joined) // queued, not written by the read
    await app.store.deferredWrites.flush()
    expect(await stored()).toBe(now)
    const shown = await call('GET', `/api/users/${alice.id}`, { token: alice.token })
    expect(shown.body.last_seen).toBe(new Date(now).toISOString())
  })
})
