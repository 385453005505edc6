/**
 * A front-end developer's program against the client openapi-typescript generates from /swagger/json
 * (test/http/typed-client.test.ts writes `./schema.d.ts` beside a copy of this file, then typechecks and runs it).
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './schema'

type User = components['schemas']['User']

export async function registerLogInListUpdate(baseUrl: string) {
  const client = createClient<paths>({ baseUrl })
  const created = await client.POST('/api/users', {
    body: { username: 'typed', email: 'typed@example.com', password: 'typed-secret' },
  })
  if (!created.data) throw new Error(`register: ${created.response.status} ${JSON.stringify(created.error)}`)
  const user: User = created.data

  const login = await client.POST('/api/tokens', { headers: { Authorization: `Basic ${btoa('typed:typed-secret')}` } })
  if (!login.data) throw new Error(`log in: ${login.response.status} ${login.error?.error}`)
  const headers = { Authorization: `Bearer ${login.data.token}` }

  const page = await client.GET('/api/users', { params: { query: { page: 1, per_page: 10 } }, headers })
  if (!page.data) throw new Error(`list: ${page.response.status}`)
  const listed: User[] = page.data.items

  const updated = await client.PUT('/api/users/{id}', {
    params: { path: { id: user.id } },
    body: { email: 'typed@gmail.com' },
    headers,
  })
  if (!updated.data) throw new Error(`update: ${updated.response.status} ${JSON.stringify(updated.error)}`)
  return {
    location: created.response.headers.get('location'),
    listed: listed.map(({ username }) => username),
    total: page.data._meta.total_items,
    email: updated.data.email,
  }
}
