import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { openMigratedDatabase } from '../../src/app'
import { createUserPositions } from '../../src/db/users'
import { fcOptions, PROPERTY_TIMEOUT_MS } from '../http/hostile'
import { testConfig } from '../helpers'
import { countsAndTheirScans, USER_SELECT } from './counts'

// Ids from either side of every level's bucket edges (1,024, 65,536 and 4,194,304 ids wide), and below zero.
const anyId = fc.oneof(
  fc.integer({ min: -3000, max: 3000 }),
  fc.integer({ min: 65_000, max: 66_000 }),
  fc.integer({ min: 4_194_000, max: 4_195_000 }),
  fc.integer({ min: 1, max: 20_000_000 }),
)
const operation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), rows: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insertAt' as const), id: anyId }),
  fc.record({ kind: fc.constant('replaceAt' as const), id: anyId }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('deleteRange' as const), from: anyId, span: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), to: anyId, replace: fc.boolean() }),
  fc.record({ kind: fc.constant('replaceName' as const), pick: fc.nat() }),
)

describe('user counts and positions kept by the database', () => {
  test(
    'equal COUNT(*) and ORDER BY id LIMIT/OFFSET after random plain-SQL inserts, deletions, replaces and id changes',
    () => {
      fc.assert(
        fc.property(
          fc.array(operation, { maxLength: 30 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 10 }),
          (operations, pages) => {
            const database = openMigratedDatabase(testConfig())
            const { sqlite } = database
            const positions = createUserPositions(database.db)
            let name = 0
            const values = () => `('u${++name}', 'u${name}@example.com', 'x')`
            const someId = (pick: number) => {
              const ids = sqlite.query('SELECT id FROM users ORDER BY id').values().flat() as number[]
              return ids.length ? ids[pick % ids.length] : undefined
            }
            for (const op of operations) {
              if (op.kind === 'insert')
                sqlite.run(`INSERT INTO users (username, email, password_hash) VALUES ${Array.from({ length: op.rows }, values).join()}`)
              if (op.kind === 'insertAt')
                sqlite.run(`INSERT OR IGNORE INTO users (id, username, email, password_hash) VALUES (${op.id}, ${values().slice(1)}`)
              if (op.kind === 'replaceAt')
                sqlite.run(`INSERT OR REPLACE INTO users (id, username, email, password_hash) VALUES (${op.id}, ${values().slice(1)}`)
              if (op.kind === 'delete') sqlite.run('DELETE FROM users WHERE id = ?', [someId(op.pick) ?? 0])
              if (op.kind === 'deleteRange') sqlite.run('DELETE FROM users WHERE id BETWEEN ? AND ?', [op.from, op.from + op.span])
              if (op.kind === 'move')
                sqlite.run(`UPDATE OR ${op.replace ? 'REPLACE' : 'IGNORE'} users SET id = ? WHERE id = ?`, [op.to, someId(op.pick) ?? 0])
              // A new row taking an existing row's name: REPLACE deletes the old one.
              if (op.kind === 'replaceName')
                sqlite.run("REPLACE INTO users (username, email, password_hash) VALUES ('u' || ?, 'new' || ?, 'x')", [op.pick % (name + 1), ++name])
            }
            const { kept, scanned } = countsAndTheirScans(sqlite)
            expect(kept).toEqual(scanned)
            expect(positions.count()).toBe(scanned.total)
            const offsetQuery = sqlite.query(`${USER_SELECT} ORDER BY id LIMIT ? OFFSET ?`)
            // Random pages, and every edge: the first, the last row, exactly the end, past it.
            const edges = [0, scanned.total - 1, scanned.total, scanned.total + 3].filter((offset) => offset >= 0)
            for (const [offset, limit] of [...pages.map(([at, limit]) => [at % (scanned.total + 5), limit]), ...edges.map((at) => [at, 7])])
              expect(positions.page(offset!, limit!)).toEqual({ items: offsetQuery.all(limit!, offset!) as never, total: scanned.total })
            database.close()
          },
        ),
        fcOptions(60),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
