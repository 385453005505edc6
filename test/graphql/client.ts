import type { Config } from '../../src/config'
import { encodeGlobalId } from '../../src/graphql/ids'
import { testApp } from '../helpers'

export { MSG } from '../messages'

/** A user's GraphQL id, from the integer id REST and signUp give. */
export const globalId = (id: number) => encodeGlobalId('User', id)

/** A fresh app plus `gql(query, {token, variables})`, which POSTs JSON to /graphql as a client would. */
export function graphqlApp(overrides: Partial<Config> = {}) {
  const harness = testApp(overrides)
  async function gql(query: string, options: { token?: string; variables?: Record<string, unknown> } = {}) {
    const response = await harness.call('POST', '/graphql', { body: { query, variables: options.variables }, token: options.token })
    return response
  }
  return { ...harness, gql }
}

/** The `extensions.code` of every error, in order. */
export const codes = (body: { errors?: { extensions?: { code?: string } }[] }) =>
  (body.errors ?? []).map((error) => error.extensions?.code)
