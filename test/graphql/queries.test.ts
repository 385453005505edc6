import { describe, expect, test } from 'bun:test'
import { codes, globalId, graphqlApp } from './client'

describe('me and user', () => {
  test('me is the token owner, with their email', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const response = await gql('{ me { id username email } }', { token: ada.token })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ data: { me: { id: globalId(ada.id), username: 'ada', email: 'ada@example.com' } } })
  })

  test('user(id) shows the email only on your own record', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const bob = await signUp('bob')
    const query = 'query ($id: ID!) { user(id: $id) { id username email } }'
    const own = await gql(query, { token: ada.token, variables: { id: globalId(ada.id) } })
    expect(own.body.data.user).toEqual({ id: globalId(ada.id), username: 'ada', email: 'ada@example.com' })
    const other = await gql(query, { token: ada.token, variables: { id: globalId(bob.id) } })
    expect(other.body.data.user).toEqual({ id: globalId(bob.id), username: 'bob', email: null })
  })

  // REST's integer ("1") is not a global id; neither is an id of a user that does not exist.
  test.each(['1', globalId(999), '999', '0', '-1', 'abc', '1.5', ''])('user(id: "%s") is NOT_FOUND', async (id) => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const response = await gql('query ($id: ID!) { user(id: $id) { id } }', { token: ada.token, variables: { id } })
    expect(response.status).toBe(200)
    expect(response.body.data).toEqual({ user: null })
    expect(codes(response.body)).toEqual(['NOT_FOUND'])
    expect(response.body.errors[0]).toMatchObject({ message: 'User not found', path: ['user'] })
  })

  test.each([
    ['no token', undefined],
    ['a malformed token', 'not-a-token'],
    ['an unknown token', 'A'.repeat(43)],
  ])('me, user and users with %s are UNAUTHENTICATED', async (_, token) => {
    const { gql, signUp } = graphqlApp()
    await signUp('ada')
    const response = await gql(`{ me { id } user(id: "${globalId(1)}") { id } users { totalCount } }`, { token })
    expect(response.status).toBe(200)
    expect(codes(response.body)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED'])
    expect(response.body.data).toBeNull() // users is non-null, so its error nulls the whole result
  })

  test.each(['1', '99', '0', 'abc'])('anonymous user(id: "%s") is UNAUTHENTICATED: no id is told apart', async (id) => {
    const { gql, signUp } = graphqlApp()
    await signUp('ada')
    const response = await gql('query ($id: ID!) { user(id: $id) { id } }', { variables: { id } })
    expect(codes(response.body)).toEqual(['UNAUTHENTICATED'])
  })

  test('a token in the query string is not a token', async () => {
    const { call, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const response = await call('GET', `/graphql?query=${encodeURIComponent('{ me { id } }')}&access_token=${ada.token}`)
    expect(codes(response.body)).toEqual(['UNAUTHENTICATED'])
  })

  test('an expired token is refused', async () => {
    const { gql, signUp, setTokenExpiry } = graphqlApp()
    const ada = await signUp('ada')
    await setTokenExpiry(0)
    expect(codes((await gql('{ me { id } }', { token: ada.token })).body)).toEqual(['UNAUTHENTICATED'])
  })
})

describe('users connection', () => {
  const PAGE = `query ($first: Int, $after: String, $last: Int, $before: String) {
    users(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id username email } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`

  async function sevenUsers() {
    const harness = graphqlApp()
    const people: { id: number; token: string }[] = []
    for (const name of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']) people.push(await harness.signUp(name))
    const page = async (variables: Record<string, unknown>) => {
      const response = await harness.gql(PAGE, { token: people[0]!.token, variables })
      expect(response.body.errors).toBeUndefined()
      return response.body.data.users
    }
    return { ...harness, people, page }
  }

  const names = (connection: { edges: { node: { username: string } }[] }) => connection.edges.map((edge) => edge.node.username)

  test('forward in pages of three, then backward from the end, meets every user once in id order', async () => {
    const { page } = await sevenUsers()
    const forward = []
    let after: string | null = null
    const seen: string[][] = []
    for (;;) {
      const connection: any = await page({ first: 3, after })
      forward.push(connection.pageInfo)
      seen.push(names(connection))
      expect(connection.totalCount).toBe(7)
      if (!connection.pageInfo.hasNextPage) break
      after = connection.pageInfo.endCursor
    }
    expect(seen).toEqual([['u1', 'u2', 'u3'], ['u4', 'u5', 'u6'], ['u7']])
    expect(forward.map((info) => [info.hasPreviousPage, info.hasNextPage])).toEqual([
      [false, true],
      [true, true],
      [true, false],
    ])

    const backward: string[][] = []
    let before: string | null = null
    for (;;) {
      const connection: any = await page({ last: 3, before })
      backward.push(names(connection))
      if (!connection.pageInfo.hasPreviousPage) break
      expect(connection.pageInfo.hasNextPage).toBe(before !== null)
      before = connection.pageInfo.startCursor
    }
    expect(backward).toEqual([['u5', 'u6', 'u7'], ['u2', 'u3', 'u4'], ['u1']])
  })

  test('cursors are opaque, and start and end cursors are the first and last edges', async () => {
    const { page } = await sevenUsers()
    const connection = await page({ first: 2 })
    for (const edge of connection.edges) expect(edge.cursor).not.toContain(edge.node.id)
    expect(connection.pageInfo.startCursor).toBe(connection.edges[0].cursor)
    expect(connection.pageInfo.endCursor).toBe(connection.edges[1].cursor)
  })

  test('after and before together bound a window', async () => {
    const { page } = await sevenUsers()
    const all = await page({ first: 7 })
    const cursor = (index: number) => all.edges[index].cursor
    const bounded = await page({ first: 10, after: cursor(1), before: cursor(5) })
    expect(names(bounded)).toEqual(['u3', 'u4', 'u5'])
    expect(bounded.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false })
    const fromEnd = await page({ last: 2, after: cursor(1), before: cursor(5) })
    expect(names(fromEnd)).toEqual(['u4', 'u5'])
    expect(fromEnd.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true })
  })

  test('a page survives its cursor row being deleted', async () => {
    const { page, gql, people } = await sevenUsers()
    const first = await page({ first: 3 })
    await gql('mutation ($id: ID!) { deleteUser(id: $id) }', { token: people[2]!.token, variables: { id: globalId(people[2]!.id) } })
    expect(names(await page({ first: 3, after: first.pageInfo.endCursor }))).toEqual(['u4', 'u5', 'u6'])
  })

  test('emails show only on the viewer’s own node', async () => {
    const { page } = await sevenUsers()
    const connection = await page({ first: 3 })
    expect(connection.edges.map((edge: any) => edge.node.email)).toEqual(['u1@example.com', null, null])
  })

  test('10 by default, at most 100 a page, and an empty page at first: 0', async () => {
    const harness = graphqlApp()
    const ada = await harness.signUp('ada')
    await harness.sql(
      `WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 120)
       INSERT INTO users (username, email, password_hash) SELECT 'user' || value, 'user' || value || '@example.com', 'x' FROM n`,
    )
    const count = async (variables: Record<string, number>) =>
      (
        await harness.gql(
          'query ($first: Int, $last: Int) { users(first: $first, last: $last) { totalCount edges { cursor } pageInfo { hasNextPage startCursor } } }',
          { token: ada.token, variables },
        )
      ).body.data.users
    expect((await count({})).edges).toHaveLength(10)
    expect((await count({ first: 1000 })).edges).toHaveLength(100)
    expect((await count({ last: 1000 })).edges).toHaveLength(100)
    const empty = await count({ first: 0 })
    expect(empty).toEqual({ totalCount: 121, edges: [], pageInfo: { hasNextPage: true, startCursor: null } })
  })

  test.each([
    ['a negative first', { first: -1 }, { first: 'Please provide a count of zero or more.' }],
    ['a negative last', { last: -5 }, { last: 'Please provide a count of zero or more.' }],
    ['first and last together', { first: 1, last: 1 }, { last: 'Please page with either first or last, not both.' }],
    ['a made-up cursor', { after: 'bm90LWEtY3Vyc29y' }, { after: 'Please provide a cursor from this connection.' }],
    ['a cursor that is not base64', { before: '!!!' }, { before: 'Please provide a cursor from this connection.' }],
    ['a cursor with a huge id', { after: Buffer.from('user:99999999999999999').toString('base64url') }, { after: 'Please provide a cursor from this connection.' }],
  ])('%s is BAD_USER_INPUT with a field message', async (_, variables, fields) => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const response = await gql(PAGE, { token: ada.token, variables })
    expect(codes(response.body)).toEqual(['BAD_USER_INPUT'])
    expect(response.body.errors[0].extensions.fields).toEqual(fields)
  })
})
