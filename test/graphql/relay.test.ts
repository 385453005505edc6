import { describe, expect, test } from 'bun:test'
import { encodeCursor } from '../../src/graphql/connection'
import { NODE_TYPES, decodeGlobalId, encodeGlobalId } from '../../src/graphql/ids'
import { codes, globalId, graphqlApp } from './client'

describe('global ids', () => {
  test('round-trip, and nothing but what encodeGlobalId makes decodes', () => {
    expect(encodeGlobalId('User', 1)).toBe('VXNlcjox')
    expect(decodeGlobalId(encodeGlobalId('User', 123456789012345))).toEqual({ type: 'User', id: 123456789012345 })
    const others = ['1', '', 'VXNlcjox=', 'VXNlcjox.', 'VXNlcjow', Buffer.from('User:01').toString('base64url'),
      Buffer.from('Token:1').toString('base64url'), Buffer.from('User:1:2').toString('base64url'), 'VXNlcjoxy']
    for (const other of others) expect(decodeGlobalId(other), other).toBeUndefined()
  })

  test('ids and cursors are base64url, whatever the digits (they are made by btoa)', () => {
    const ids = [...Array.from({ length: 20_000 }, (_, n) => n + 1), ...Array.from({ length: 2000 }, () => 1 + Math.floor(Math.random() * 1e15))]
    for (const id of ids) {
      for (const type of NODE_TYPES) expect(encodeGlobalId(type, id)).toBe(Buffer.from(`${type}:${id}`).toString('base64url'))
      for (const prefix of ['user:', 'post:']) expect(encodeCursor(id, prefix)).toBe(Buffer.from(`${prefix}${id}`).toString('base64url'))
    }
  })
})

describe('Relay: Node, node, nodes, databaseId, connection nodes', () => {
  test('User.id is the global id, databaseId the REST integer', async () => {
    const { gql, signUp, call } = graphqlApp()
    const ada = await signUp('ada')
    const me = await gql('{ me { id databaseId username } }', { token: ada.token })
    expect(me.body.data.me).toEqual({ id: globalId(ada.id), databaseId: ada.id, username: 'ada' })
    expect((await call('GET', `/api/users/${me.body.data.me.databaseId}`, { token: ada.token })).body.username).toBe('ada')
  })

  test('node(id) fetches a user by its global id, as the viewer may see it; unknown ids are null', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const bob = await signUp('bob')
    const query = 'query ($id: ID!) { node(id: $id) { __typename id ... on User { username email } } }'
    const own = await gql(query, { token: ada.token, variables: { id: globalId(ada.id) } })
    expect(own.body).toEqual({ data: { node: { __typename: 'User', id: globalId(ada.id), username: 'ada', email: 'ada@example.com' } } })
    const other = await gql(query, { token: ada.token, variables: { id: globalId(bob.id) } })
    expect(other.body.data.node).toEqual({ __typename: 'User', id: globalId(bob.id), username: 'bob', email: null })
    for (const id of [globalId(999), '1', 'nonsense']) {
      const missing = await gql(query, { token: ada.token, variables: { id } })
      expect(missing.body, id).toEqual({ data: { node: null } })
    }
  })

  test('nodes(ids) answers in order, null where there is none', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const bob = await signUp('bob')
    const response = await gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { databaseId } } }', {
      token: ada.token,
      variables: { ids: [globalId(bob.id), globalId(999), globalId(ada.id)] },
    })
    expect(response.body).toEqual({
      data: { nodes: [{ id: globalId(bob.id), databaseId: bob.id }, null, { id: globalId(ada.id), databaseId: ada.id }] },
    })
  })

  test('node and nodes need a token, as user(id) does', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    const node = await gql('query ($id: ID!) { node(id: $id) { id } }', { variables: { id: globalId(ada.id) } })
    expect(codes(node.body)).toEqual(['UNAUTHENTICATED'])
    const nodes = await gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { variables: { ids: [globalId(ada.id)] } })
    expect(codes(nodes.body)).toEqual(['UNAUTHENTICATED'])
  })

  test('a connection has nodes beside edges, the same users in the same order', async () => {
    const { gql, signUp } = graphqlApp()
    const ada = await signUp('ada')
    await signUp('bob')
    const response = await gql('{ users(first: 2) { nodes { id username } edges { node { id username } } } }', { token: ada.token })
    const { nodes, edges } = response.body.data.users
    expect(nodes.map((user: { username: string }) => user.username)).toEqual(['ada', 'bob'])
    expect(nodes).toEqual(edges.map((edge: { node: unknown }) => edge.node))
  })
})

describe('DateTime', () => {
  test('Token.expiresAt is a DateTime: ISO-8601 in UTC, as REST expires_at', async () => {
    const { gql, signUp } = graphqlApp()
    await signUp('ada')
    const response = await gql('mutation { createToken(username: "ada", password: "secret") { expiresAt } }')
    expect(response.body.data.createToken.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const type = await gql('{ __type(name: "Token") { fields { name type { ofType { name } } } } }')
    expect(type.body.data.__type.fields).toContainEqual({ name: 'expiresAt', type: { ofType: { name: 'DateTime' } } })
  })
})
