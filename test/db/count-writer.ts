/**
 * One of several processes writing users to one database file at once (test/db/user-counts.test.ts):
 * registrations and deletions through the store, and plain-SQL inserts and deletes. After each write it checks,
 * in one snapshot, that the kept total is COUNT(*) and that a page from the positions is OFFSET's page.
 *
 * Usage: bun test/db/count-writer.ts <database file> <name prefix> <seed> <writes>
 */
import { openDatabase } from '../../src/db/client'
import { createUserPositions } from '../../src/db/users'
import { sqliteStore } from '../../src/db/store'
import { USER_SELECT } from './counts'

const [path, prefix, seedText, writesText] = process.argv.slice(2)
const database = openDatabase(path!, { synchronous: 'NORMAL' })
const { sqlite } = database
const store = sqliteStore(database.db)
const positions = createUserPositions(database.db)

let seed = Number(seedText)
const random = (below: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % below)
const someId = () => (sqlite.query('SELECT id FROM users ORDER BY random() LIMIT 1').get() as { id: number } | null)?.id ?? 0

const check = sqlite.transaction(() => {
  const { n } = sqlite.query('SELECT count(*) AS n FROM users').get() as { n: number }
  const offset = random(n + 2)
  const page = positions.page(offset, 5)
  const expected = sqlite.query(`${USER_SELECT} ORDER BY id LIMIT 5 OFFSET ?`).all(offset)
  if (page.total !== n || JSON.stringify(page.items) !== JSON.stringify(expected))
    throw new Error(`count ${page.total} for COUNT(*) ${n}; at ${offset}: ${JSON.stringify(page.items)} for ${JSON.stringify(expected)}`)
})

for (let write = 0; write < Number(writesText); write++) {
  const kind = random(4)
  if (kind === 0) store.insertUser({ username: `${prefix}_${write}`, email: `${prefix}_${write}@example.com`, passwordHash: 'x' })
  if (kind === 1) store.removeUser(someId()) // false when another writer took it first
  if (kind === 2)
    sqlite.run(
      `INSERT INTO users (username, email, password_hash) VALUES ${[1, 2, 3].map((n) => `('${prefix}_${write}_${n}', '${prefix}_${write}_${n}@example.com', 'x')`).join()}`,
    )
  if (kind === 3) sqlite.run('DELETE FROM users WHERE id IN (SELECT id FROM users ORDER BY random() LIMIT 2)')
  check()
}
database.close()
