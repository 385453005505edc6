/**
 * One of several processes writing users to one database file at once (test/db/user-counts.test.ts):
 * registrations and deletions through the service, and plain-SQL inserts and deletes. After each write it checks,
 * in one snapshot, that the kept total is COUNT(*) and that a page from the positions is OFFSET's page.
 *
 * Usage: bun test/db/count-writer.ts <database file> <name prefix> <seed> <writes>
 */
import { loadConfig } from '../../src/config'
import { openDatabase } from '../../src/db/client'
import { sqliteStore } from '../../src/db/store'
import { createUserPositions } from '../../src/db/user-positions'
import { createServices } from '../../src/services'
import { NotFoundError } from '../../src/services/errors'
import { checkNewUser } from '../../src/services/input'

const [path, prefix, seedText, writesText] = process.argv.slice(2)
const database = openDatabase(path!, { synchronous: 'NORMAL' })
const { sqlite } = database
const config = loadConfig({ DATABASE_URL: path!, REGISTER_MAX_PER_HOUR: '0' })
const { users } = createServices(sqliteStore(database.db), config, { hasher: { hash: async () => 'x', verify: async () => false } })
const positions = createUserPositions(database.db)

let seed = Number(seedText)
const random = (below: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % below)
const someId = () => (sqlite.query('SELECT id FROM users ORDER BY random() LIMIT 1').get() as { id: number } | null)?.id ?? 0

const check = sqlite.transaction(() => {
  const { n } = sqlite.query('SELECT count(*) AS n FROM users').get() as { n: number }
  const offset = random(n + 2)
  const page = positions.page(offset, 5)
  const expected = sqlite.query('SELECT id, username, email FROM users ORDER BY id LIMIT 5 OFFSET ?').all(offset)
  if (page.total !== n || JSON.stringify(page.items) !== JSON.stringify(expected))
    throw new Error(`count ${page.total} for COUNT(*) ${n}; at ${offset}: ${JSON.stringify(page.items)} for ${JSON.stringify(expected)}`)
})

for (let write = 0; write < Number(writesText); write++) {
  const kind = random(4)
  if (kind === 0)
    await users.register(checkNewUser({ username: `${prefix}_${write}`, email: `${prefix}_${write}@example.com`, password: 'secret' }), 'writer')
  if (kind === 1) {
    const id = someId()
    try {
      await users.remove({ id, username: '', email: '' }, id)
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error // another writer took it first
    }
  }
  if (kind === 2)
    sqlite.run(
      `INSERT INTO users (username, email, password_hash) VALUES ${[1, 2, 3].map((n) => `('${prefix}_${write}_${n}', '${prefix}_${write}_${n}@example.com', 'x')`).join()}`,
    )
  if (kind === 3) sqlite.run('DELETE FROM users WHERE id IN (SELECT id FROM users ORDER BY random() LIMIT 2)')
  check()
}
database.close()
