import { expect, test } from 'bun:test'
import fc from 'fast-check'
import { openMigratedDatabase } from '../../src/app'
import { sqliteStore } from '../../src/db/store'
import { fcOptions, PROPERTY_TIMEOUT_MS } from '../http/hostile'
import { testConfig } from '../helpers'
import { authorPostCountsAndTheirScans } from './counts'

const POST_SELECT = 'SELECT id, title, summary, body, author_id AS authorId, timestamp, updated_at AS updatedAt, views FROM posts'
// Ids from either side of the 1,024- and 65,536-id bucket edges.
const anyId = fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 65_000, max: 66_000 }), fc.integer({ min: 1, max: 5_000_000 }))
const operation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), rows: fc.integer({ min: 1, max: 60 }), author: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('insertAt' as const), id: anyId, author: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('deleteRange' as const), from: anyId, span: fc.integer({ min: 0, max: 2000 }) }),
  // By hand: posts given to another author, an id moved, an author deleted (their posts go) and signed up again.
  fc.record({ kind: fc.constant('reauthor' as const), from: anyId, span: fc.integer({ min: 0, max: 2000 }), author: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('move' as const), from: anyId, to: anyId }),
  fc.record({ kind: fc.constant('deleteAuthor' as const), author: fc.integer({ min: 1, max: 3 }) }),
)

test(
  "a posts page and an author's page are ORDER BY id DESC LIMIT/OFFSET's rows, and the counts COUNT(*)'s, after random writes",
  () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 10 }),
        (operations, pages) => {
          const database = openMigratedDatabase(testConfig())
          const { sqlite } = database
          const signUp = (author: number) =>
            sqlite.run(`INSERT INTO users (id, username, email, password_hash) VALUES (${author}, 'u${author}', 'u${author}@example.com', 'x')`)
          for (const author of [1, 2, 3]) signUp(author)
          const store = sqliteStore(database.db)
          let serial = 0
          const post = (author: number) => `('t${++serial}', 'b${serial}', ${author})`
          for (const op of operations) {
            if (op.kind === 'insert')
              sqlite.run(`INSERT INTO posts (title, body, author_id) VALUES ${Array.from({ length: op.rows }, () => post(op.author)).join()}`)
            if (op.kind === 'insertAt') sqlite.run(`INSERT OR IGNORE INTO posts (id, title, body, author_id) VALUES (${op.id}, ${post(op.author).slice(1)}`)
            if (op.kind === 'deleteRange') sqlite.run('DELETE FROM posts WHERE id BETWEEN ? AND ?', [op.from, op.from + op.span])
            if (op.kind === 'reauthor') sqlite.run('UPDATE posts SET author_id = ? WHERE id BETWEEN ? AND ?', [op.author, op.from, op.from + op.span])
            if (op.kind === 'move') sqlite.run('UPDATE OR IGNORE posts SET id = ? WHERE id = (SELECT min(id) FROM posts WHERE id >= ?)', [op.to, op.from])
            if (op.kind === 'deleteAuthor') {
              sqlite.run('DELETE FROM users WHERE id = ?', [op.author])
              expect(sqlite.query('SELECT * FROM author_post_counts_by_1k_ids WHERE author_id = ?').all(op.author)).toEqual([])
              signUp(op.author)
            }
          }
          const { kept, scanned } = authorPostCountsAndTheirScans(sqlite)
          expect(kept).toEqual(scanned)
          const total = (sqlite.query('SELECT count(*) AS n FROM posts').get() as { n: number }).n
          const newestFirst = sqlite.query(`${POST_SELECT} ORDER BY id DESC LIMIT ? OFFSET ?`)
          const ofAuthor = sqlite.query(`${POST_SELECT} WHERE author_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`)
          // Random pages, and every edge: the first, the last row, exactly the end, past it.
          const edges = [0, total - 1, total, total + 3].filter((offset) => offset >= 0).map((at): [number, number, number] => [at, 7, 1])
          for (const [at, limit, author] of [...pages, ...edges]) {
            const offset = at % (total + 5)
            expect(store.postPage(offset, limit)).toEqual({ items: newestFirst.all(limit, offset) as never, total })
            expect(store.authorPosts(author, offset, limit)).toEqual(ofAuthor.all(author, limit, offset) as never)
          }
          database.close()
        },
      ),
      fcOptions(40),
    )
  },
  PROPERTY_TIMEOUT_MS,
)

test('a page skips to its start through the index of ids, never through the rows and their bodies', () => {
  const database = openMigratedDatabase(testConfig())
  const prepared: string[] = []
  const prepare = database.sqlite.prepare.bind(database.sqlite)
  database.sqlite.prepare = ((sql: string) => (prepared.push(sql), prepare(sql))) as typeof database.sqlite.prepare
  sqliteStore(database.db)
  const pages = prepared.filter((sql) => /OFFSET/i.test(sql) && /from "?`?posts/i.test(sql))
  expect(pages.length).toBe(2)
  for (const sql of pages) {
    const plan = (database.sqlite.query(`EXPLAIN QUERY PLAN ${sql}`).all(...sql.split('?').slice(1).map(() => 1)) as { detail: string }[]).map((step) => step.detail)
    // The list's skip by the ids' own index, an author's by theirs: both hold ids only, hundreds to a page.
    const index = /author_id"? = \?/.test(sql) ? 'posts_author_id_id_idx' : 'posts_id_idx'
    expect(plan).toContain(`SEARCH posts USING COVERING INDEX ${index} (${index === 'posts_id_idx' ? 'id<?' : 'author_id=? AND id<?'})`)
  }
  database.close()
})
