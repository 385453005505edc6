import { ValidationError, type FieldErrors } from '../services/errors'
import { PAGE_DEFAULTS } from '../services/pagination'
import type { UserService, User } from '../services/users'

export interface ConnectionArgs {
  first?: number | null
  after?: string | null
  last?: number | null
  before?: string | null
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[]
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }
}

const PREFIX = 'user:'
export const MESSAGES = {
  cursor: 'Please provide a cursor from this connection.',
  count: 'Please provide a count of zero or more.',
  both: 'Please page with either first or last, not both.',
} as const

/**
 * Opaque to clients so the ordering key can change without breaking them. base64url without padding: `user:`
 * and digits never make a 6-bit group of 62 or 63, so btoa's base64 (several times cheaper than a Buffer, and
 * there are 20 cursors a page) differs from base64url only by its `=`.
 */
export const encodeCursor = (id: number) => btoa(`${PREFIX}${id}`).replace(/=+$/, '')

function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const digits = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : ''
  return /^\d{1,15}$/.test(digits) && encodeCursor(Number(digits)) === cursor ? Number(digits) : undefined
}

/** Null and absent mean the same to a GraphQL client, so both leave the bound open. */
function bounds(args: ConnectionArgs) {
  const fields: FieldErrors = {}
  const cursor = (name: 'after' | 'before') => {
    const raw = args[name]
    if (raw === null || raw === undefined) return undefined
    const id = decodeCursor(raw)
    if (id === undefined) fields[name] = MESSAGES.cursor
    return id
  }
  const size = (name: 'first' | 'last') => {
    const raw = args[name]
    if (raw === null || raw === undefined) return undefined
    if (raw < 0) fields[name] = MESSAGES.count
    return Math.min(raw, PAGE_DEFAULTS.maxPerPage)
  }
  const range = { afterId: cursor('after'), beforeId: cursor('before') }
  const first = size('first')
  const last = size('last')
  if (first !== undefined && last !== undefined) fields.last = MESSAGES.both
  if (Object.keys(fields).length) throw new ValidationError(fields)
  return { range, first, last }
}

/**
 * The Relay cursor connection over users in id order, on keyset queries: a page costs the same at any depth,
 * and rows inserted or deleted between requests never shift it. Sizes are capped like REST's per_page.
 */
export async function userConnection<T>(
  users: Pick<UserService, 'slice' | 'anyBeyond'>,
  args: ConnectionArgs,
  view: (user: User) => T,
): Promise<Connection<T>> {
  const { range, first, last } = bounds(args)
  const fromEnd = last !== undefined
  const { items, more } = await users.slice(range, last ?? first ?? PAGE_DEFAULTS.perPage, fromEnd)
  const edges = items.map((user) => ({ cursor: encodeCursor(user.id), node: view(user) }))
  // Forward, `more` means a next page; backward, a previous one. The other side is only known from the cursor.
  const hasPreviousPage = fromEnd ? more : range.afterId !== undefined && (await users.anyBeyond(range.afterId, 'below'))
  const hasNextPage = fromEnd ? range.beforeId !== undefined && (await users.anyBeyond(range.beforeId, 'above')) : more
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  }
}
