/**
 * The floor: the least a Bun program can do to give madblog's answers to its authenticated reads. Bare
 * Bun.serve and bun:sqlite with prepared statements (or, given a postgres:// URL, bare Bun.sql), doing per
 * request what madblog does: parse the bearer header, check its shape, sha256 it, look the token up with its
 * expiry (joined to its owner), look the asked user (or the page and the count) up, answer JSON with the same
 * body and CORS header. Nothing else.
 *
 * Usage: bun bench/floor.ts <database file | postgres:// URL> <port>
 */
import { Database } from 'bun:sqlite'
import { SQL } from 'bun'

const [path, portText] = process.argv.slice(2)
if (!path || !portText) throw new Error('usage: bun bench/floor.ts <database file | postgres:// URL> <port>')

type Row = { id: number; username: string; email: string }
type Maybe<T> = T | Promise<T>
interface Queries {
  viewerByToken(hash: string, now: number): Maybe<Row | undefined>
  userById(id: number): Maybe<Row | undefined>
  page(limit: number, offset: number): Maybe<Row[]>
  total(): Maybe<number>
}

function sqliteQueries(file: string): Queries {
  const sqlite = new Database(file, { strict: true })
  // The same SQL madblog runs: a scalar subquery, which SQLite answers several times faster than the join.
  const viewerByToken = sqlite.prepare<Row, [string, number]>(
    `SELECT id, username, email FROM users
     WHERE id = (SELECT user_id FROM tokens WHERE token_hash = ? AND expires_at > ?) LIMIT 1`,
  )
  const userById = sqlite.prepare<Row, [number]>('SELECT id, username, email FROM users WHERE id = ? LIMIT 1')
  const page = sqlite.prepare<Row, [number, number]>('SELECT id, username, email FROM users ORDER BY id LIMIT ? OFFSET ?')
  const total = sqlite.prepare<{ n: number }, []>('SELECT count(*) AS n FROM users')
  return {
    viewerByToken: (hash, now) => viewerByToken.get(hash, now) ?? undefined,
    userById: (id) => userById.get(id) ?? undefined,
    page: (limit, offset) => page.all(limit, offset),
    total: () => total.get()!.n,
  }
}

// The same statements as madblog's PostgreSQL store (src/db/pg/store.ts), on a pool of the same size.
function postgresQueries(url: string): Queries {
  const sql = new SQL({ url, max: 10 })
  const user = (row: Row | undefined) => row && { id: Number(row.id), username: row.username, email: row.email }
  return {
    viewerByToken: async (hash, now) =>
      user(
        (
          await sql`SELECT u.id, u.username, u.email FROM tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_hash = ${hash} AND t.expires_at > ${new Date(now)}`
        )[0],
      ),
    userById: async (id) => user((await sql`SELECT id, username, email FROM users WHERE id = ${id}`)[0]),
    page: async (limit, offset) => (await sql`SELECT id, username, email FROM users ORDER BY id LIMIT ${limit} OFFSET ${offset}`).map(user),
    total: async () => (await sql`SELECT count(*)::int AS n FROM users`)[0].n,
  }
}

const queries = /^postgres(ql)?:\/\//.test(path) ? postgresQueries(path) : sqliteQueries(path)
/** `then` only when the engine answered with a promise: SQLite's floor stays synchronous. */
const after = <T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> => (value instanceof Promise ? value.then(next) : next(value))

const BEARER = /^bearer +(\S+) *$/i
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/
const HEADERS = { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' }
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: HEADERS })
const unauthorized = () => json({ error: 'Unauthorized' }, 401)

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
  _links: { self: `/api/users/${user.id}` },
})

const number = (raw: string | null, fallback: number) => (raw && /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : fallback)
const listPath = (page: number, perPage: number) => `/api/users?page=${page}&per_page=${perPage}`

const server = Bun.serve({
  port: Number(portText),
  hostname: '127.0.0.1',
  routes: {
    '/api/ping': () => new Response('"Pong!"', { headers: HEADERS }),
    '/api/users/:id': (request) =>
      after(viewer(request), (self) => {
        if (!self) return unauthorized()
        const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : 0
        return after(id >= 1 ? queries.userById(id) : undefined, (user) => (user ? json(view(user, self)) : json({ error: 'Not Found' }, 404)))
      }),
    '/api/users': (request) =>
      after(viewer(request), (self) => {
        if (!self) return unauthorized()
        const query = new URL(request.url).searchParams
        const pageNo = number(query.get('page'), 1)
        const perPage = Math.min(number(query.get('per_page'), 10), 100)
        return after(queries.page(perPage, (pageNo - 1) * perPage), (rows) =>
          after(queries.total(), (totalItems) => listAnswer(rows, totalItems, pageNo, perPage)),
        )
      }),
  },
  fetch: () => json({ error: 'Not Found' }, 404),
})

function listAnswer(rows: Row[], totalItems: number, pageNo: number, perPage: number) {
  const items = rows.map((user) => view(user)) // madblog's list shows no emails
  const totalPages = Math.ceil(totalItems / perPage)
  return json({
    items,
    _meta: { page: pageNo, per_page: perPage, total_pages: totalPages, total_items: totalItems },
    _links: {
      self: listPath(pageNo, perPage),
      next: pageNo < totalPages ? listPath(pageNo + 1, perPage) : null,
      prev: pageNo > 1 ? listPath(pageNo - 1, perPage) : null,
    },
  })
}
console.log(`floor listening on ${server.url}`)
