import { expect, test } from 'bun:test'
import { buildSchema, parse, validate } from 'graphql'
import { DEFAULT_QUERY } from '../../src/graphql/playground'
import { typeDefs } from '../../src/graphql/typeDefs'
import { graphqlApp } from './client'

test('every operation of the playground’s opening document is valid against the schema', () => {
  const document = parse(DEFAULT_QUERY)
  expect(document.definitions.map((definition) => (definition as { name?: { value: string } }).name?.value)).toEqual(['SignUp', 'LogIn', 'Me', 'Users', 'WritePost', 'Posts'])
  expect(validate(buildSchema(typeDefs), document)).toEqual([])
})

test('GET /graphql from a browser is GraphiQL with every asset inline, and the login walk-through', async () => {
  const { call } = graphqlApp()
  const response = await call('GET', '/graphql', { headers: { accept: 'text/html,application/xhtml+xml' } })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('text/html')
  // Nothing is fetched from elsewhere: no script, stylesheet or icon points off the page.
  expect(response.text).not.toMatch(/<(script|link)[^>]+(src|href)=["']?(https?:)?\/\//i)
  expect(response.text).toContain('<title>madblog GraphQL</title>')
  expect(response.text).toContain('createToken(username:')
  expect(response.text).toContain('Authorization')
})

test('the same URL answers JSON to a GraphQL client', async () => {
  const { call } = graphqlApp()
  const response = await call('GET', `/graphql?query=${encodeURIComponent('{ __typename }')}`)
  expect(response.status).toBe(200)
  expect(response.body).toEqual({ data: { __typename: 'Query' } })
})

test('the page’s script, stylesheet and editor workers come from madblog itself', async () => {
  const { call } = graphqlApp()
  const page = await call('GET', '/graphql', { headers: { accept: 'text/html' } })
  const paths = [...page.text.matchAll(/\/graphql\/assets\/[\w.-]+/g)].map(([path]) => path)
  expect(new Set(paths)).toEqual(
    new Set(['/graphql/assets/graphiql.css', '/graphql/assets/start.js', '/graphql/assets/graphiql.js', '/graphql/assets/editor.worker.js', '/graphql/assets/json.worker.js', '/graphql/assets/graphql.worker.js']),
  )
  for (const path of paths) {
    const asset = await call('GET', path)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/)
    expect(asset.text.length).toBeGreaterThan(path.endsWith('start.js') ? 100 : 10_000)
  }
})

test('the opening document runs as its comments say: each operation in order, with the token LogIn gives', async () => {
  const { call } = graphqlApp()
  const run = (operationName: string, token: string | undefined) => call('POST', '/graphql', { body: { query: DEFAULT_QUERY, operationName }, token })
  let token: string | undefined
  const names = [...DEFAULT_QUERY.matchAll(/^(?:query|mutation) (\w+)/gm)].map(([, name]) => name!)
  expect(names).toEqual(['SignUp', 'LogIn', 'Me', 'Users', 'WritePost', 'Posts'])
  for (const operationName of names) {
    const response = await run(operationName, token)
    expect(response.body.errors, operationName).toBeUndefined()
    token ??= response.body.data.createToken?.token
  }
  const posts = await run('Posts', undefined)
  expect(posts.body.data.posts).toMatchObject({ totalCount: 1, edges: [{ node: { title: 'Hello', author: { username: 'ada', postsCount: 1 } } }] })
})

