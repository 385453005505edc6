import { andThen, type Awaitable } from '../db/store'
import { ValidationError, type FieldErrors } from '../services/errors'
import { base64urlOfName, nameOfBase64url } from './ids'
import { PAGE_DEFAULTS } from '../services/pagination'
import type { IdRange, UserService, User } from '../services/users'

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

export const MESSAGES = {
  cursor: 'Please provide a cursor from this connection.',
  count: 'Please provide a count of zero or more.',
  both: 'Please page with either first or last, not both.',
} as const

/** Opaque to clients so the ordering key can change without breaking them. A cursor of one list is no cursor of another. */
export const encodeCursor = (id: number, prefix = 'user:') => base64urlOfName(`${prefix}${id}`)

function decodeCursor(cursor: string, prefix: string): number | undefined {
  const text = nameOfBase64url(cursor) ?? ''
  const digits = text.startsWith(prefix) ? text.slice(prefix.length) : ''
  return /^\d{1,15}$/.test(digits) && encodeCursor(Number(digits), prefix) === cursor ? Number(digits) : undefined
}

/** Null and absent mean the same to a GraphQL client, so both leave the bound open. */
function bounds(args: ConnectionArgs, prefix = 'user:') {
  const fields: FieldErrors = {}
  const cursor = (name: 'after' | 'before') => {
    const raw = args[name]
    if (raw === null || raw === undefined) return undefined
    const id = decodeCursor(raw, prefix)
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
 * A slice as a Relay page. `more` says whether the side the slice was taken towards goes on; the other side is
 * known only from the cursor that bounds it. `next` is where a forward page moves: higher ids, or lower.
 */
function relayPage<T, N>(
  { items, more }: { items: T[]; more: boolean },
  edge: (item: T) => { cursor: string; node: N },
  backward: boolean,
  range: IdRange,
  next: 'above' | 'below',
  anyBeyond: (id: number, side: 'above' | 'below') => Awaitable<boolean>,
): Awaitable<Connection<N>> {
  const edges = items.map(edge)
  const beyond = (id: number | undefined, side: 'above' | 'below') => id !== undefined && anyBeyond(id, side)
  return andThen(backward ? more : beyond(range.afterId, next === 'above' ? 'below' : 'above'), (hasPreviousPage) =>
    andThen(backward ? beyond(range.beforeId, next) : more, (hasNextPage) => ({
      edges,
      pageInfo: { hasNextPage, hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    })),
  )
}

/**
 * The Relay cursor connection over users in id order, on keyset queries: a page costs the same at any depth,
 * and rows inserted or deleted between requests never shift it. Sizes are capped like REST's per_page.
 */
export function userConnection<T>(
  users: Pick<UserService, 'slice' | 'anyBeyond'>,
  args: ConnectionArgs,
  view: (user: User) => T,
): Awaitable<Connection<T>> {
  const { range, first, last } = bounds(args)
  const fromEnd = last !== undefined
  return andThen(users.slice(range, last ?? first ?? PAGE_DEFAULTS.perPage, fromEnd), (slice) =>
    relayPage(slice, (user) => ({ cursor: encodeCursor(user.id), node: view(user) }), fromEnd, range, 'above', users.anyBeyond),
  )
}

const POST_CURSOR = 'post:'

/** What a posts connection pages over: all posts, or one author's (src/services/posts.ts). */
export interface PostSource<T> {
  slice(range: IdRange, limit: number, fromOldest: boolean): Awaitable<{ items: T[]; more: boolean }>
  anyBeyond(id: number, side: 'below' | 'above'): Awaitable<boolean>
  id(item: T): number
  totalCount(): Awaitable<number>
}

/**
 * The Relay connection over posts newest first, on keyset queries like users'. Lazy: the page is read when
 * `edges`, `nodes` or `pageInfo` is first asked for, so `posts { totalCount }` under each author of a page costs
 * no query (the count is the author's own posts_count).
 */
export function postConnection<T>(source: PostSource<T>, args: ConnectionArgs) {
  const { range, first, last } = bounds(args, POST_CURSOR)
  const fromOldest = last !== undefined
  let page: ReturnType<typeof read> | undefined
  function read() {
    // Newest first: a forward page moves to lower ids.
    return andThen(source.slice(range, last ?? first ?? PAGE_DEFAULTS.perPage, fromOldest), (slice) =>
      relayPage(slice, (node) => ({ cursor: encodeCursor(source.id(node), POST_CURSOR), node }), fromOldest, range, 'below', source.anyBeyond),
    )
  }
  const once = () => (page ??= read())
  return {
    edges: () => andThen(once(), (read) => read.edges),
    nodes: () => andThen(once(), (read) => read.edges.map((edge) => edge.node)),
    pageInfo: () => andThen(once(), (read) => read.pageInfo),
    totalCount: () => source.totalCount(),
  }
}

export type PostConnection = ReturnType<typeof postConnection>
