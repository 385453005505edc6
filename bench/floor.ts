/**
 * The floor: the least a Bun program can do to give madblog's answers to its authenticated reads. Bare
 * Bun.serve and bun:sqlite with prepared statements, doing per request what madblog does: parse the bearer
 * header, check its shape, sha256 it, look the token up with its expiry (joined to its owner), look the asked
 * user (or the page and the count) up, answer JSON with the same body and CORS header. Nothing else.
 *
 * Usage: bun bench/floor.ts <database file> <port>
 */
import { Database } from 'bun:sqlite'

const [path, portText] = process.argv.slice(2)
if (!path || !portText) throw new Error('usage: bun bench/floor.ts <database file> <port>')

const sqlite = new Database(path, { strict: true })
type Row = { id: number; username: string; email: string }
// The same SQL madblog runs: a scalar subquery, which SQLite answers several times faster than the join.
const viewerByToken = sqlite.prepare<Row, [string, number]>(
  `SELECT id, username, email FROM users
   WHERE id = (SELECT user_id FROM tokens WHERE token_hash = ? AND expires_at > ?) LIMIT 1`,
)
const userById = sqlite.prepare<Row, [number]>('SELECT id, username, email FROM users WHERE id = ? LIMIT 1')
const page = sqlite.prepare<Row, [number, number]>('SELECT id, username, email FROM users ORDER BY id LIMIT ? OFFSET ?')
const total = sqlite.prepare<{ n: number }, []>('SELECT count(*) AS n FROM users')

const BEARER = /^bearer +(\S+) *$/i
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/
const HEADERS = { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' }
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: HEADERS })
const unauthorized = () => json({ error: 'Unauthorized' }, 401)

function viewer(request: Request): Row | undefined {
  const token = request.headers.get('authorization')?.match(BEARER)?.[1]
  if (!token || !TOKEN_SHAPE.test(token)) return undefined
  const hash = new Bun.CryptoHasher('sha256').update(token).digest('hex')
  return viewerByToken.get(hash, Date.now()) ?? undefined
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
    '/api/users/:id': (request) => {
      const self = viewer(request)
      if (!self) return unauthorized()
      const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : 0
      const user = id >= 1 ? userById.get(id) : null
      return user ? json(view(user, self)) : json({ error: 'Not Found' }, 404)
    },
    '/api/users': (request) => {
      const self = viewer(request)
      if (!self) return unauthorized()
      const query = new URL(request.url).searchParams
      const pageNo = number(query.get('page'), 1)
      const perPage = Math.min(number(query.get('per_page'), 10), 100)
      const items = page.all(perPage, (pageNo - 1) * perPage).map((user) => view(user)) // madblog's list shows no emails
      const totalItems = total.get()!.n
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
    },
  },
  fetch: () => json({ error: 'Not Found' }, 404),
})
console.log(`floor listening on ${server.url}`)
