import { afterEach, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import type { Store } from '../../src/db/store'
import { appHarness, sqliteOnly, testApp, testConfig } from '../helpers'
import { ON_POSTGRES, lazyPostgres } from '../postgres'
import { openMigratedDatabase } from '../../src/app'
import { codes, graphqlApp } from './client'

const postGlobalId = (id: number) => Buffer.from(`Post:${id}`).toString('base64url')
const POST_FIELDS = 'id databaseId title summary body timestamp updatedAt views author { username email }'

async function blog() {
  const h = graphqlApp()
  const alice = await h.signUp('alice')
  const bob = await h.signUp('bob')
  const create = async (token: string, input: Record<string, unknown>) => {
    const response = await h.gql(`mutation ($input: CreatePostInput!) { createPost(input: $input) { ${POST_FIELDS} } }`, { token, variables: { input } })
    if (!response.body.data?.createPost) throw new Error(`createPost failed: ${response.text}`)
    return response.body.data.createPost as { id: string; databaseId: number }
  }
  return { ...h, alice, bob, create }
}

describe('GraphQL posts', () => {
  test('createPost, then post(id) with a global id, counting a view; anyone may read', async () => {
    const { gql, alice, create } = await blog()
    const created = await create(alice.token, { title: 'Hello', body: 'First post.' })
    expect(created).toMatchObject({ id: postGlobalId(1), databaseId: 1, title: 'Hello', summary: 'First post.', views: 0 })
    expect(created).toMatchObject({ author: { username: 'alice', email: 'alice@example.com' } })
    const read = await gql(`query ($id: ID!) { post(id: $id) { ${POST_FIELDS} } }`, { variables: { id: created.id } })
    expect(read.body.data.post).toMatchObject({ databaseId: 1, views: 1, author: { username: 'alice', email: null } })
    expect(new Date(read.body.data.post.timestamp).toISOString()).toBe(read.body.data.post.timestamp)
  })

  test.each(['1', 'abc', Buffer.from('User:1').toString('base64url'), postGlobalId(99)])('post(id: %p) is NOT_FOUND', async (id) => {
    const { gql, alice, create } = await blog()
    await create(alice.token, { title: 't', body: 'b' })
    const response = await gql('query ($id: ID!) { post(id: $id) { id } }', { variables: { id } })
    expect(response.body.data).toEqual({ post: null })
    expect(codes(response.body)).toEqual(['NOT_FOUND'])
  })

  test('posts newest first with totalCount, paged forward and back by cursors; User.posts is one author’s', async () => {
    const { gql, alice, bob, create } = await blog()
    for (const [n, who] of [alice, bob, alice, alice, bob].entries()) await create(who.token, { title: `p${n + 1}`, body: 'b' })
    const page = 'edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount'
    const first = await gql(`{ posts(first: 2) { ${page} } }`)
    const titles = (connection: { edges: { node: { title: string } }[] }) => connection.edges.map((edge) => edge.node.title)
    expect(titles(first.body.data.posts)).toEqual(['p5', 'p4'])
    expect(first.body.data.posts).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true, hasPreviousPage: false } })
    const next = await gql(`query ($after: String) { posts(first: 2, after: $after) { ${page} } }`, {
      variables: { after: first.body.data.posts.pageInfo.endCursor },
    })
    expect(titles(next.body.data.posts)).toEqual(['p3', 'p2'])
    expect(next.body.data.posts.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true })
    const back = await gql(`query ($before: String) { posts(last: 2, before: $before) { ${page} } }`, {
      variables: { before: next.body.data.posts.pageInfo.startCursor },
    })
    expect(titles(back.body.data.posts)).toEqual(['p5', 'p4'])
    expect(back.body.data.posts.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false })
    const mine = await gql(`query ($id: ID!) { user(id: $id) { postsCount posts(first: 10) { nodes { title } totalCount } } }`, {
      token: bob.token,
      variables: { id: Buffer.from(`User:${alice.id}`).toString('base64url') },
    })
    expect(mine.body.data.user).toEqual({ postsCount: 3, posts: { nodes: [{ title: 'p4' }, { title: 'p3' }, { title: 'p1' }], totalCount: 3 } })
  })

  test('a cursor of users is no cursor of posts', async () => {
    const { gql, alice } = await blog()
    const users = await gql('{ users(first: 1) { pageInfo { endCursor } } }', { token: alice.token })
    const response = await gql('query ($after: String) { posts(after: $after) { totalCount } }', {
      variables: { after: users.body.data.users.pageInfo.endCursor },
    })
    expect(codes(response.body)).toEqual(['BAD_USER_INPUT'])
  })

  test('updatePost and deletePost: the author only (FORBIDDEN), NOT_FOUND for none, UNAUTHENTICATED without a token', async () => {
    const { gql, alice, bob, create } = await blog()
    const { id } = await create(alice.token, { title: 't', summary: 'mine', body: 'b' })
    const update = 'mutation ($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { title summary body } }'
    const remove = 'mutation ($id: ID!) { deletePost(id: $id) }'
    expect(codes((await gql(update, { token: bob.token, variables: { id, input: { title: 'x' } } })).body)).toEqual(['FORBIDDEN'])
    expect(codes((await gql(remove, { token: bob.token, variables: { id } })).body)).toEqual(['FORBIDDEN'])
    expect(codes((await gql(update, { variables: { id, input: { title: 'x' } } })).body)).toEqual(['UNAUTHENTICATED'])
    expect(codes((await gql(remove, { token: alice.token, variables: { id: postGlobalId(9) } })).body)).toEqual(['NOT_FOUND'])
    const invalid = await gql(update, { token: alice.token, variables: { id, input: { title: '' } } })
    expect(codes(invalid.body)).toEqual(['BAD_USER_INPUT'])
    expect(invalid.body.errors[0].extensions.fields).toEqual({ title: 'Please provide a title.' })
    expect(codes((await gql(update, { token: alice.token, variables: { id, input: {} } })).body)).toEqual(['BAD_USER_INPUT'])
    const changed = await gql(update, { token: alice.token, variables: { id, input: { title: 'new', summary: null } } })
    expect(changed.body.data.updatePost).toEqual({ title: 'new', summary: 'b', body: 'b' })
    expect((await gql(remove, { token: alice.token, variables: { id } })).body.data).toEqual({ deletePost: true })
    expect((await gql('{ posts { totalCount } }')).body.data.posts.totalCount).toBe(0)
  })

  test('createPost needs a token, and says what is wrong per field', async () => {
    const { gql, alice } = await blog()
    const mutation = 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }'
    expect(codes((await gql(mutation, { variables: { input: { title: 't', body: 'b' } } })).body)).toEqual(['UNAUTHENTICATED'])
    const long = await gql(mutation, { token: alice.token, variables: { input: { title: 'x'.repeat(256), body: '' } } })
    expect(long.body.errors[0].extensions.fields).toEqual({ title: 'Please use a shorter title.', body: 'Please provide a body.' })
  })
})

describe('authors are loaded once for a whole page', () => {
  const QUERY = '{ posts(first: 50) { edges { node { title author { username posts(first: 3) { totalCount } } } } } }'
  const prepare = Database.prototype.prepare
  afterEach(() => void (Database.prototype.prepare = prepare))

  /** An app over a store that counts its calls, with `posts` posts by as many authors as there are (up to 5). */
  async function countingBlog(posts: number) {
    const config = testConfig()
    const database = ON_POSTGRES ? lazyPostgres(config) : openMigratedDatabase(config)
    const calls = { n: 0 }
    const inner = ON_POSTGRES ? (database as ReturnType<typeof lazyPostgres>).store : (await import('../../src/db/store')).sqliteStore((database as ReturnType<typeof openMigratedDatabase>).db)
    const store = new Proxy(inner, {
      get: (target, key) => {
        const value = Reflect.get(target, key)
        return typeof value === 'function' && key !== 'takenField' ? (...args: unknown[]) => (calls.n++, value.apply(target, args)) : value
      },
    }) as Store
    // The same database, seen through the counting store (a proxy: the PostgreSQL handle's getters stay unread).
    const counted = new Proxy(database, {
      get: (target, key) => (key === 'store' ? store : Reflect.get(target, key)),
      has: (target, key) => key === 'store' || Reflect.has(target, key),
    })
    const h = appHarness(config, counted as never)
    const authors = await Promise.all(Array.from({ length: Math.min(posts, 5) }, (_, n) => h.signUp(`author${n}`)))
    for (let n = 0; n < posts; n++) {
      const response = await h.call('POST', '/api/posts', { token: authors[n % authors.length]!.token, body: { title: `p${n}`, body: 'b' } })
      expect(response.status).toBe(201)
    }
    return { ...h, calls }
  }

  const run = async (h: Awaited<ReturnType<typeof countingBlog>>) => {
    h.calls.n = 0
    const response = await h.call('POST', '/graphql', { body: { query: QUERY } })
    expect(response.body.errors).toBeUndefined()
    return { calls: h.calls.n, edges: response.body.data.posts.edges.length }
  }

  test('the same few store calls for 5 posts as for 50, on either engine', async () => {
    const few = await run(await countingBlog(5))
    const many = await run(await countingBlog(50))
    expect([few.edges, many.edges]).toEqual([5, 50])
    // The page, whether anything lies before it is not asked, and the authors: totalCount is their posts_count.
    expect(few.calls).toBe(2)
    expect(many.calls).toBe(few.calls)
  })

  sqliteOnly('the same few SQL statements for 5 posts as for 50', async () => {
    const statements = { n: 0 }
    Database.prototype.prepare = function (this: Database, ...args: Parameters<typeof prepare>) {
      const statement = prepare.apply(this, args)
      for (const method of ['get', 'all', 'run', 'values'] as const) {
        const original = statement[method].bind(statement) as (...a: unknown[]) => unknown
        ;(statement as unknown as Record<string, unknown>)[method] = (...a: unknown[]) => (statements.n++, original(...a))
      }
      return statement
    } as typeof prepare
    const count = async (posts: number) => {
      const h = testApp()
      const authors = await Promise.all(Array.from({ length: Math.min(posts, 5) }, (_, n) => h.signUp(`author${n}`)))
      for (let n = 0; n < posts; n++) await h.call('POST', '/api/posts', { token: authors[n % authors.length]!.token, body: { title: `p${n}`, body: 'b' } })
      statements.n = 0
      const response = await h.call('POST', '/graphql', { body: { query: QUERY } })
      expect(response.body.data.posts.edges).toHaveLength(posts)
      return statements.n
    }
    const few = await count(5)
    expect(few).toBeLessThanOrEqual(3)
    expect(await count(50)).toBe(few)
  })
})
