/**
 * The floor: the least a Bun program can do to give madblog's answers to its authenticated reads. Bare
 * Bun.serve and bun:sqlite with prepared statements (or, given a postgres:// URL, bare Bun.sql), doing per
 * request what madblog does: parse the bearer header, check its shape, sha256 it, look the token up with its
 * expiry (joined to its owner), look the asked user (or the page and the count) up, answer JSON with the same
 * body (the whole user resource: profile, times in ISO-8601, posts_count, links) and headers (CORS, nosniff, the
 * request id: the client's own or a new UUID). Nothing else. And the public posts page the same way: the page of
 * posts newest first, their count, their authors in one statement, each post with its author's resource.
 * test/bench-floor.test.ts holds it to madblog's answers.
 *
 * Usage: bun bench/floor.ts <database file | postgres:// URL> <port>
 */
import { Database } from 'bun:sqlite'
import { SQL } from 'bun'
import { chooseRequestId } from '../src/http/request-id'
import { derivedSummary } from '../src/services/posts'

const [path, portText] = process.argv.slice(2)
if (!path || !portText) throw new Error('usage: bun bench/floor.ts <database file | postgres:// URL> <port>')

type Row = {
  id: number
  username: string
  email: string
  name: string | null
  location: string | null
  about_me: string | null
  created_at: number
  last_seen: number | null
  posts_count: number
}
const COLUMNS = 'id, username, email, name, location, about_me, created_at, last_seen, posts_count'
type PostRow = { id: number; title: string; summary: string | null; body: string; author_id: number; timestamp: number; updated_at: number; views: number }
const POST_COLUMNS = 'id, title, summary, body, author_id, timestamp, updated_at, views'
type Maybe<T> = T | Promise<T>
interface Queries {
  viewerByToken(hash: string, now: number): Maybe<Row | undefined>
  userById(id: number): Maybe<Row | undefined>
  page(limit: number, offset: number): Maybe<Row[]>
  total(): Maybe<number>
  postsPage(limit: number, offset: number): Maybe<PostRow[]>
  postsTotal(): Maybe<number>
  usersByIds(ids: number[]): Maybe<Row[]>
}

function sqliteQueries(file: string): Queries {
  const sqlite = new Database(file, { strict: true })
  // The same SQL madblog runs: a scalar subquery, which SQLite answers several times faster than the join.
  const viewerByToken = sqlite.prepare<Row, [string, number]>(
    `SELECT ${COLUMNS} FROM users
     WHERE id = (SELECT user_id FROM tokens WHERE token_hash = ? AND expires_at > ?) LIMIT 1`,
  )
  const userById = sqlite.prepare<Row, [number]>(`SELECT ${COLUMNS} FROM users WHERE id = ? LIMIT 1`)
  const page = sqlite.prepare<Row, [number, number]>(`SELECT ${COLUMNS} FROM users ORDER BY id LIMIT ? OFFSET ?`)
  const total = sqlite.prepare<{ n: number }, []>('SELECT count(*) AS n FROM users')
  const postsPage = sqlite.prepare<PostRow, [number, number]>(`SELECT ${POST_COLUMNS} FROM posts ORDER BY id DESC LIMIT ? OFFSET ?`)
  const postsTotal = sqlite.prepare<{ n: number }, []>('SELECT count(*) AS n FROM posts')
  const usersByIds = sqlite.prepare<Row, [string]>(`SELECT ${COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`)
  return {
    viewerByToken: (hash, now) => viewerByToken.get(hash, now) ?? undefined,
    userById: (id) => userById.get(id) ?? undefined,
    page: (limit, offset) => page.all(limit, offset),
    total: () => total.get()!.n,
    postsPage: (limit, offset) => postsPage.all(limit, offset),
    postsTotal: () => postsTotal.get()!.n,
    usersByIds: (ids) => usersByIds.all(JSON.stringify(ids)),
  }
}

// The same statements as madblog's PostgreSQL store (src/db/pg/store.ts), on a pool of the same size.
function postgresQueries(url: string): Queries {
  const sql = new SQL({ url, max: 10 })
  type PgRow = Omit<Row, 'created_at' | 'last_seen'> & { created_at: Date; last_seen: Date | null }
  const user = (row: PgRow | undefined): Row | undefined =>
    row && { ...row, id: Number(row.id), created_at: row.created_at.getTime(), last_seen: row.last_seen?.getTime() ?? null }
  type PgPost = Omit<PostRow, 'timestamp' | 'updated_at'> & { timestamp: Date; updated_at: Date }
  const post = (row: PgPost): PostRow => ({
    ...row,
    id: Number(row.id),
    author_id: Number(row.author_id),
    views: Number(row.views),
    timestamp: row.timestamp.getTime(),
    updated_at: row.updated_at.getTime(),
  })
  return {
    viewerByToken: async (hash, now) =>
      user(
        (
          await sql`SELECT ${sql.unsafe(COLUMNS.replace(/(\w+)/g, 'u.$1'))} FROM tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_hash = ${hash} AND t.expires_at > ${new Date(now)}`
        )[0],
      ),
    userById: async (id) => user((await sql`SELECT ${sql.unsafe(COLUMNS)} FROM users WHERE id = ${id}`)[0]),
    page: async (limit, offset) => (await sql`SELECT ${sql.unsafe(COLUMNS)} FROM users ORDER BY id LIMIT ${limit} OFFSET ${offset}`).map(user),
    total: async () => (await sql`SELECT count(*)::int AS n FROM users`)[0].n,
    postsPage: async (limit, offset) =>
      (await sql`SELECT ${sql.unsafe(POST_COLUMNS)} FROM posts ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`).map(post),
    postsTotal: async () => (await sql`SELECT count(*)::int AS n FROM posts`)[0].n,
    usersByIds: async (ids) => (await sql`SELECT ${sql.unsafe(COLUMNS)} FROM users WHERE id = ANY(${ids})`).map(user),
  }
}

const queries = /^postgres(ql)?:\/\//.test(path) ? postgresQueries(path) : sqliteQueries(path)
/** `then` only when the engine answered with a promise: SQLite's floor stays synchronous. */
const after = <T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> => (value instanceof Promise ? value.then(next) : next(value))

const BEARER = /^bearer +(\S+) *$/i
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/
const HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Location, WWW-Authenticate, Retry-After, X-Request-Id',
  'x-content-type-options': 'nosniff',
}
const answer = (request: Request, text: string, status: number, headers: Record<string, string>) =>
  new Response(text, { status, headers: { ...HEADERS, ...headers, 'x-request-id': chooseRequestId(request) } })
// Elysia's type for an object it serialises; the ping sets plain JSON's itself.
const JSON_TYPE = { 'content-type': 'application/json;charset=utf-8' }
const json = (request: Request, body: unknown, status = 200) => answer(request, JSON.stringify(body), status, JSON_TYPE)
const UNAUTHORIZED = { ...JSON_TYPE, 'www-authenticate': 'Bearer realm="Authentication Required"' }
const unauthorized = (request: Request) => answer(request, '{"error":"Unauthorized"}', 401, UNAUTHORIZED)

function viewer(request: Request): Maybe<Row | undefined> {
  const token = request.headers.get('authorization')?.match(BEARER)?.[1]
  if (!token || !TOKEN_SHAPE.test(token)) return undefined
  const hash = new Bun.CryptoHasher('sha256').update(token).digest('hex')
  return queries.viewerByToken(hash, Date.now())
}

const view = (user: Row, self?: Row) => ({
  id: user.id,
  username: user.username,
  ...(user.id === self?.id ? { email: user.email } : {}),
  name: user.name,
  location: user.location,
  about_me: user.about_me,
  member_since: new Date(user.created_at).toISOString(),
  last_seen: new Date(user.last_seen ?? user.created_at).toISOString(),
  posts_count: user.posts_count,
  _links: { self: `/api/users/${user.id}`, posts: `/api/users/${user.id}/posts` },
})

const number = (raw: string | null, fallback: number) => (raw && /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : fallback)
const listPath = (base: string, page: number, perPage: number) => `${base}?page=${page}&per_page=${perPage}`
const iso = (ms: number) => new Date(ms).toISOString()

const postView = (post: PostRow, author: ReturnType<typeof view>) => ({
  id: post.id,
  title: post.title,
  summary: post.summary ?? derivedSummary(post.body),
  body: post.body,
  timestamp: iso(post.timestamp),
  updated_at: iso(post.updated_at),
  views: post.views,
  author,
  _links: { self: `/api/posts/${post.id}`, author: `/api/users/${post.author_id}` },
})

/** The page and per_page a list's query asks for, with madblog's fallbacks and cap. */
function pageOf(request: Request) {
  const query = new URL(request.url).searchParams
  return { pageNo: number(query.get('page'), 1), perPage: Math.min(number(query.get('per_page'), 10), 100) }
}

const server = Bun.serve({
  port: Number(portText),
  hostname: '127.0.0.1',
  routes: {
    '/api/ping': (request) => answer(request, '"Pong!"', 200, { 'content-type': 'application/json' }),
    '/api/users/:id': (request) =>
      after(viewer(request), (self) => {
        if (!self) return unauthorized(request)
        const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : 0
        return after(id >= 1 ? queries.userById(id) : undefined, (user) => (user ? json(request, view(user, self)) : json(request, { error: 'Not Found' }, 404)))
      }),
    '/api/users': (request) =>
      after(viewer(request), (self) => {
        if (!self) return unauthorized(request)
        const { pageNo, perPage } = pageOf(request)
        return after(queries.page(perPage, (pageNo - 1) * perPage), (rows) =>
          after(queries.total(), (totalItems) =>
            json(request, listBody('/api/users', rows.map((user) => view(user)), totalItems, pageNo, perPage)), // madblog's list shows no emails
          ),
        )
      }),
    '/api/posts': (request) => {
      const { pageNo, perPage } = pageOf(request)
      return after(queries.postsPage(perPage, (pageNo - 1) * perPage), (rows) =>
        after(queries.postsTotal(), (totalItems) =>
          after(rows.length ? queries.usersByIds([...new Set(rows.map((post) => post.author_id))]) : [], (authors) => {
            const resources = new Map(authors.map((author) => [author.id, view(author)]))
            const items = rows.map((post) => postView(post, resources.get(post.author_id)!))
            return json(request, listBody('/api/posts', items, totalItems, pageNo, perPage))
          }),
        ),
      )
    },
  },
  fetch: (request) => json(request, { error: 'Not Found' }, 404),
})

function listBody(base: string, items: unknown[], totalItems: number, pageNo: number, perPage: number) {
  const totalPages = Math.ceil(totalItems / perPage)
  return {
    items,
    _meta: { page: pageNo, per_page: perPage, total_pages: totalPages, total_items: totalItems },
    _links: {
      self: listPath(base, pageNo, perPage),
      next: pageNo < totalPages ? listPath(base, pageNo + 1, perPage) : null,
      prev: pageNo > 1 ? listPath(base, pageNo - 1, perPage) : null,
    },
  }
}
console.log(`floor listening on ${server.url}`)
