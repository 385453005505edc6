import { describe, expect, test } from 'bun:test'
import { testApp } from '../helpers'
import { MSG, badRequest, userBody } from '../messages'

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

async function blog() {
  const h = testApp()
  const alice = await h.signUp('alice')
  const bob = await h.signUp('bob')
  const write = async (token: string, body: Record<string, unknown>) => {
    const response = await h.call('POST', '/api/posts', { token, body })
    if (response.status !== 201) throw new Error(`post failed: ${response.text}`)
    return response.body as { id: number }
  }
  return { ...h, alice, bob, write }
}

describe('POST /api/posts', () => {
  test('201 with Location and the post, its author embedded without an email', async () => {
    const { call, alice } = await blog()
    const response = await call('POST', '/api/posts', { token: alice.token, body: { title: ' Hello ', body: 'First post.' } })
    expect(response.status).toBe(201)
    expect(response.headers.get('location')).toBe('/api/posts/1')
    expect(response.body).toEqual({
      id: 1,
      title: 'Hello',
      summary: 'First post.',
      body: 'First post.',
      timestamp: expect.stringMatching(ISO_UTC),
      updated_at: expect.stringMatching(ISO_UTC),
      views: 0,
      author: userBody(alice.id, 'alice', { posts_count: 1 }),
      _links: { self: '/api/posts/1', author: `/api/users/${alice.id}` },
    })
  })

  test('an empty summary is the body’s first 200 characters, never half a character', async () => {
    const { call, alice } = await blog()
    const body = `${'😀'.repeat(199)}é${'x'.repeat(50)}`
    const derived = await call('POST', '/api/posts', { token: alice.token, body: { title: 't', summary: '', body } })
    expect(derived.body.summary).toBe(`${'😀'.repeat(199)}é`)
    const given = await call('POST', '/api/posts', { token: alice.token, body: { title: 't', summary: 'Short.', body } })
    expect(given.body.summary).toBe('Short.')
  })

  test.each([
    ['no title', { body: 'b' }, { title: 'Please provide a title.' }],
    ['a blank title', { title: '   ', body: 'b' }, { title: 'Please provide a title.' }],
    ['a title of 256 characters', { title: 'x'.repeat(256), body: 'b' }, { title: 'Please use a shorter title.' }],
    ['no body', { title: 't' }, { body: 'Please provide a body.' }],
    ['a body of 100,001 characters', { title: 't', body: 'x'.repeat(100_001) }, { body: 'Please use a shorter body.' }],
    ['a summary of 501 characters', { title: 't', body: 'b', summary: 'x'.repeat(501) }, { summary: 'Please use a shorter summary.' }],
    ['fields of the wrong types', { title: 7, body: ['b'] }, { title: 'Please provide a title.', body: 'Please provide a body.' }],
  ])('%s is a 400 with per-field messages', async (_, sent, message) => {
    const { call, alice } = await blog()
    const response = await call('POST', '/api/posts', { token: alice.token, body: sent })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(badRequest(message))
  })

  test('a title of 255 characters (emoji count as one) is accepted', async () => {
    const { call, alice } = await blog()
    const response = await call('POST', '/api/posts', { token: alice.token, body: { title: '😀'.repeat(255), body: 'b' } })
    expect(response.status).toBe(201)
  })

  test.each([['not json', 'text/plain'], ['{', 'application/json'], ['[]', 'application/json'], ['{}', 'application/json']])(
    '%p as %s is "You must post JSON data."',
    async (body, type) => {
      const { call, alice } = await blog()
      const response = await call('POST', '/api/posts', { token: alice.token, body, headers: { 'content-type': type } })
      expect(response.status).toBe(400)
      expect(response.body).toEqual(badRequest(MSG.notJson))
    },
  )

  test('needs a bearer token', async () => {
    const { call } = await blog()
    const response = await call('POST', '/api/posts', { body: { title: 't', body: 'b' } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="Authentication Required"')
  })

  test('an author_id or views in the body are no fields of a post', async () => {
    const { call, alice, bob } = await blog()
    const response = await call('POST', '/api/posts', { token: alice.token, body: { title: 't', body: 'b', author_id: bob.id, views: 99, id: 50 } })
    expect(response.body).toMatchObject({ id: 1, views: 0, author: { id: alice.id } })
  })
})

describe('GET /api/posts', () => {
  test('public, newest first, the page shape of users, with and without a trailing slash', async () => {
    const { call, alice, bob, write } = await blog()
    for (const [n, who] of [alice, bob, alice].entries()) await write(who.token, { title: `post ${n + 1}`, body: 'b' })
    for (const path of ['/api/posts?per_page=2', '/api/posts/?per_page=2']) {
      const response = await call('GET', path)
      expect(response.status).toBe(200)
      expect(response.body._meta).toEqual({ page: 1, per_page: 2, total_pages: 2, total_items: 3 })
      expect(response.body._links).toEqual({ self: '/api/posts?page=1&per_page=2', next: '/api/posts?page=2&per_page=2', prev: null })
      expect(response.body.items.map((post: { title: string }) => post.title)).toEqual(['post 3', 'post 2'])
      expect(response.body.items.map((post: { author: { username: string } }) => post.author.username)).toEqual(['alice', 'bob'])
      for (const post of response.body.items) expect(post.author).not.toHaveProperty('email')
    }
    const last = await call('GET', '/api/posts?page=2&per_page=2', { token: alice.token })
    expect(last.body.items.map((post: { title: string }) => post.title)).toEqual(['post 1'])
    expect(last.body.items[0].author).not.toHaveProperty('email') // not even for its own author
  })

  test('pages stay exact across deletions (the kept counts)', async () => {
    const { call, alice, write } = await blog()
    for (let n = 1; n <= 7; n++) await write(alice.token, { title: `p${n}`, body: 'b' })
    for (const id of [2, 5]) expect((await call('DELETE', `/api/posts/${id}`, { token: alice.token })).status).toBe(204)
    const page = await call('GET', '/api/posts?page=2&per_page=2')
    expect(page.body._meta.total_items).toBe(5)
    expect(page.body.items.map((post: { id: number }) => post.id)).toEqual([4, 3])
  })
})

describe('GET /api/posts/<id>', () => {
  test('the post with its author and the newer and older posts; counts a view', async () => {
    const { app, call, alice, bob, write } = await blog()
    for (const title of ['one', 'two', 'three']) await write(alice.token, { title, body: 'b' })
    const middle = await call('GET', '/api/posts/2', { token: bob.token })
    expect(middle.status).toBe(200)
    expect(middle.body._links).toEqual({ self: '/api/posts/2', author: `/api/users/${alice.id}`, next: '/api/posts/3', prev: '/api/posts/1' })
    expect(middle.body.next).toEqual({ id: 3, title: 'three', _links: { self: '/api/posts/3' } })
    expect(middle.body.prev).toEqual({ id: 1, title: 'one', _links: { self: '/api/posts/1' } })
    expect(middle.body.views).toBe(1)
    const newest = await call('GET', '/api/posts/3')
    expect(newest.body).toMatchObject({ next: null, prev: { id: 2 }, _links: { next: null, prev: '/api/posts/2' } })
    expect((await call('GET', '/api/posts/1')).body).toMatchObject({ next: { id: 2 }, prev: null })
    expect((await call('GET', '/api/posts/2')).body.views).toBe(2)
    await app.store.deferredWrites.flush()
    expect((await call('GET', '/api/posts/2')).body.views).toBe(3)
  })

  test.each(['99', 'abc', '0', '-1', '1.5', '99999999999999999999'])('id %p is a JSON 404', async (id) => {
    const { call, alice, write } = await blog()
    await write(alice.token, { title: 't', body: 'b' })
    const response = await call('GET', `/api/posts/${id}`)
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: 'Not Found' })
  })
})

describe('PUT and DELETE /api/posts/<id>', () => {
  test('only the author: 403 for someone else, 404 for none, 401 for no token', async () => {
    const { call, alice, bob, write } = await blog()
    await write(alice.token, { title: 't', body: 'b' })
    expect((await call('PUT', '/api/posts/1', { token: bob.token, body: { title: 'x' } })).status).toBe(403)
    expect((await call('DELETE', '/api/posts/1', { token: bob.token })).status).toBe(403)
    expect((await call('PUT', '/api/posts/9', { token: bob.token, body: { title: 'x' } })).status).toBe(404)
    expect((await call('DELETE', '/api/posts/9', { token: bob.token })).status).toBe(404)
    expect((await call('PUT', '/api/posts/1', { body: { title: 'x' } })).status).toBe(401)
    expect((await call('DELETE', '/api/posts/1')).status).toBe(401)
    // A 403 comes before any field message, as for users.
    expect((await call('PUT', '/api/posts/1', { token: bob.token, body: { title: '' } })).status).toBe(403)
    expect((await call('GET', '/api/posts/1')).body.title).toBe('t')
  })

  test('the author changes only what they send; an emptied summary is derived again', async () => {
    const { call, alice, write } = await blog()
    await write(alice.token, { title: 't', summary: 'mine', body: 'the body' })
    const renamed = await call('PUT', '/api/posts/1', { token: alice.token, body: { title: 'new title' } })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ title: 'new title', summary: 'mine', body: 'the body' })
    const cleared = await call('PUT', '/api/posts/1', { token: alice.token, body: { summary: null, body: 'another body' } })
    expect(cleared.body).toMatchObject({ title: 'new title', summary: 'another body', body: 'another body' })
    const wrong = await call('PUT', '/api/posts/1', { token: alice.token, body: { title: '', body: 'x'.repeat(100_001) } })
    expect(wrong.body).toEqual(badRequest({ title: MSG_POST.title, body: MSG_POST.bodyLong }))
    expect((await call('PUT', '/api/posts/1', { token: alice.token, body: {} })).body).toEqual(badRequest(MSG.notJson))
  })

  test('DELETE is 204, then the post is gone from every list and count', async () => {
    const { call, alice, write } = await blog()
    await write(alice.token, { title: 't', body: 'b' })
    const deleted = await call('DELETE', '/api/posts/1', { token: alice.token })
    expect(deleted.status).toBe(204)
    expect((await call('GET', '/api/posts/1')).status).toBe(404)
    expect((await call('GET', '/api/posts')).body._meta.total_items).toBe(0)
    expect((await call('GET', `/api/users/${alice.id}`, { token: alice.token })).body.posts_count).toBe(0)
  })
})

describe('GET /api/users/<id>/posts', () => {
  test('that author’s posts only, newest first, counted by posts_count', async () => {
    const { call, alice, bob, write } = await blog()
    for (const [n, who] of [alice, bob, alice, alice].entries()) await write(who.token, { title: `p${n + 1}`, body: 'b' })
    const page = await call('GET', `/api/users/${alice.id}/posts?per_page=2`)
    expect(page.status).toBe(200)
    expect(page.body.items.map((post: { title: string }) => post.title)).toEqual(['p4', 'p3'])
    expect(page.body._meta).toEqual({ page: 1, per_page: 2, total_pages: 2, total_items: 3 })
    expect(page.body._links.next).toBe(`/api/users/${alice.id}/posts?page=2&per_page=2`)
    expect((await call('GET', `/api/users/${bob.id}`, { token: bob.token })).body.posts_count).toBe(1)
    expect((await call('GET', '/api/users/99/posts')).status).toBe(404)
  })

  test('deleting a user deletes their posts', async () => {
    const { call, alice, bob, write } = await blog()
    await write(alice.token, { title: 'a', body: 'b' })
    await write(bob.token, { title: 'b', body: 'b' })
    expect((await call('DELETE', `/api/users/${alice.id}`, { token: alice.token })).status).toBe(204)
    const list = await call('GET', '/api/posts')
    expect(list.body.items.map((post: { title: string }) => post.title)).toEqual(['b'])
    expect(list.body._meta.total_items).toBe(1)
  })
})

const MSG_POST = { title: 'Please provide a title.', bodyLong: 'Please use a shorter body.' } as const

