import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from '../../src/config'

describe('GraphQL settings', () => {
  test('safe defaults', () => {
    expect(loadConfig({}).graphql).toEqual({
      maxDepth: 15,
      maxAliases: 15,
      maxTokens: 1000,
      maxCost: 5000,
      maxDirectives: 10,
      maxBatch: 10,
      introspection: true,
    })
  })

  test('each is read from the environment', () => {
    const config = loadConfig({
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_ALIASES: '0',
      GRAPHQL_MAX_TOKENS: '500',
      GRAPHQL_MAX_COST: '2000',
      GRAPHQL_MAX_DIRECTIVES: '3',
      GRAPHQL_MAX_BATCH: '1',
      GRAPHQL_INTROSPECTION: 'FALSE',
    })
    expect(config.graphql).toEqual({
      maxDepth: 8,
      maxAliases: 0,
      maxTokens: 500,
      maxCost: 2000,
      maxDirectives: 3,
      maxBatch: 1,
      introspection: false,
    })
  })

  test.each([
    ['GRAPHQL_MAX_DEPTH', '0'],
    ['GRAPHQL_MAX_DEPTH', 'deep'],
    ['GRAPHQL_MAX_TOKENS', '-1'],
    ['GRAPHQL_MAX_COST', '1e9'],
    ['GRAPHQL_MAX_BATCH', '0'],
    ['GRAPHQL_INTROSPECTION', 'maybe'],
  ])('%s=%s is refused with a one-line reason', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be .*"${value}"$`))
  })

  test.each(['0', 'no', 'false'])('GRAPHQL_INTROSPECTION=%s turns it off', (value) => {
    expect(loadConfig({ GRAPHQL_INTROSPECTION: value }).graphql.introspection).toBe(false)
  })
})
