import { describe, expect, spyOn, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, openMigratedDatabase } from '../../src/app'
import { openDatabase } from '../../src/db/client'
import { describeCollision } from '../../src/db/identity-keys'
import { migrate } from '../../src/db/migrate'
import { testConfig } from '../helpers'

const DRIZZLE = join(import.meta.dir, '../../drizzle')
/** What a database from before the identity rule gets: the identity keys and every migration after them. */
const AFTER_INIT = (JSON.parse(readFileSync(join(DRIZZLE, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] }).entries
  .slice(1)
  .map(({ tag }) => tag)

/** A database as madblog left it before the identity rule: only 0000_init applied, under the lower() indexes. */
function databaseBeforeIdentityKeys(path = ':memory:') {
  const database = openDatabase(path)
  const init = readFileSync(join(DRIZZLE, '0000_init.sql'), 'utf8')
  const journal = JSON.parse(readFileSync(join(DRIZZLE, 'meta/_journal.json'), 'utf8'))
  for (const statement of init.split('--> statement-breakpoint')) database.sqlite.run(statement)
  database.sqlite.run('CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)')
  database.sqlite.run('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)', [
    createHash('sha256').update(init).digest('hex'),
    journal.entries[0].when,
  ])
  return database
}

describe('the identity-key migration on a database that already holds colliding accounts', () => {
  async function legacy(path?: string) {
    const database = databaseBeforeIdentityKeys(path)
    const hash = await Bun.password.hash('secret', { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 })
    // lower() folds only A–Z, so the old rule let each pair in as two accounts.
    const rows = [
      ['ärger', 'one@example.com'],
      ['ÄRGER', 'two@example.com'],
      ['admin', 'älice@example.com'],
      ['ａｄｍｉｎ', 'ÄLICE@example.com'],
      ['plain', 'plain@example.com'],
    ]
    for (const [username, email] of rows)
      database.sqlite.run('INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)', [username!, email!, hash])
    return database
  }

  test('no row is deleted or changed; the later of each pair is reported, the older holds the key', async () => {
    const database = await legacy()
    const before = database.sqlite.query('SELECT id, username, email, password_hash FROM users ORDER BY id').all()
    const report = migrate(database.db)
    expect(report.applied).toEqual(AFTER_INIT)
    expect(report.collisions).toEqual([
      { id: 2, field: 'username', value: 'ÄRGER', heldBy: 1 },
      { id: 4, field: 'username', value: 'ａｄｍｉｎ', heldBy: 3 },
      { id: 4, field: 'email', value: 'ÄLICE@example.com', heldBy: 3 },
    ])
    expect(describeCollision(report.collisions[0]!)).toBe(
      'account 2 keeps its username "ÄRGER", which is the same identity as account 1\'s: both work; rename or delete one to settle it',
    )
    expect(database.sqlite.query('SELECT id, username, email, password_hash FROM users ORDER BY id').all()).toEqual(before)
    expect(database.sqlite.query('SELECT username_key, email_key FROM users WHERE id IN (1, 5) ORDER BY id').all()).toEqual([
      { username_key: 'ärger', email_key: 'one@example.com' },
      { username_key: 'plain', email_key: 'plain@example.com' },
    ])
    // Reported at every start until settled, and only then.
    expect(migrate(database.db).collisions).toHaveLength(3)
  })

  test('both accounts of a pair keep working by their exact names; the identity takes no third one', async () => {
    const database = await legacy()
    migrate(database.db)
    const app = createApp(testConfig(), database)
    const call = async (method: string, path: string, init: { basic?: [string, string]; body?: unknown; token?: string } = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (init.basic) headers.authorization = `Basic ${Buffer.from(init.basic.join(':')).toString('base64')}`
      if (init.token) headers.authorization = `Bearer ${init.token}`
      const response = await app.handle(new Request(`http://localhost${path}`, { method, headers, body: init.body ? JSON.stringify(init.body) : undefined }))
      return { status: response.status, body: await response.json().catch(() => undefined) }
    }
    const tokenOf = async (name: string) => (await call('POST', '/api/tokens', { basic: [name, 'secret'] })).body.token as string
    // The token's owner is the only one shown their email: that says which account each name logged into.
    for (const [name, id] of [['ärger', 1], ['ÄRGER', 2], ['Ärger', 1], ['admin', 3], ['ａｄｍｉｎ', 4], ['ADMIN', 3]] as const) {
      const token = await tokenOf(name)
      expect({ name, email: (await call('GET', `/api/users/${id}`, { token })).body.email }).toEqual({ name, email: expect.any(String) })
    }
    const third = await call('POST', '/api/users', { body: { username: 'ärgeR', email: 'three@example.com', password: 'secret' } })
    expect(third.body.message).toEqual({ username: 'Please use a different username.' })
    // Renaming the later account settles the pair: it gets the key of its new name, and the report shrinks.
    const later = await tokenOf('ÄRGER')
    expect((await call('PUT', '/api/users/2', { token: later, body: { username: 'aerger' } })).status).toBe(200)
    expect(migrate(database.db).collisions.map(({ id }) => id)).toEqual([4, 4])
  })

  test('madblog migrate says which accounts share an identity, and serve warns of them at every start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'madblog-identity-'))
    try {
      const path = join(dir, 'legacy.db')
      ;(await legacy(path)).close()
      const run = Bun.spawnSync(['bun', join(import.meta.dir, '../../src/cli.ts'), 'migrate'], { env: { ...process.env, DATABASE_URL: path } })
      expect(run.stdout.toString().split('\n')).toEqual([
        // The database holds accounts: it is copied before the migration changes it (src/cli/migrate.ts).
        expect.stringMatching(/^backed up the database to \S+\/legacy-\S+-before-migrate\.db \(5 users, 0 tokens\) before applying /),
        `applied ${AFTER_INIT.length} migration(s): ${AFTER_INIT.join(', ')}`,
        'account 2 keeps its username "ÄRGER", which is the same identity as account 1\'s: both work; rename or delete one to settle it',
        'account 4 keeps its username "ａｄｍｉｎ", which is the same identity as account 3\'s: both work; rename or delete one to settle it',
        'account 4 keeps its email "ÄLICE@example.com", which is the same identity as account 3\'s: both work; rename or delete one to settle it',
        '',
      ])
      expect(run.exitCode).toBe(0)
      // And every start says it again, as warnings, until the pairs are settled.
      const warned = spyOn(console, 'error').mockImplementation(() => {})
      try {
        openMigratedDatabase(testConfig({ databasePath: path, logLevel: 'warn' })).close()
        expect(warned.mock.calls.map(([line]) => String(line).split(' ').slice(1, 4).join(' '))).toEqual([
          'WARN account 2',
          'WARN account 4',
          'WARN account 4',
        ])
      } finally {
        warned.mockRestore()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('its down migration (after those of later migrations) gives back the schema from before, rows and all', async () => {
    const before = databaseBeforeIdentityKeys()
    const schemaOf = (database: ReturnType<typeof openDatabase>) =>
      database.sqlite.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '__drizzle%' ORDER BY name").all()
    const database = await legacy()
    migrate(database.db)
    for (const tag of AFTER_INIT.toReversed())
      for (const statement of readFileSync(join(DRIZZLE, `${tag}.down.sql`), 'utf8').split('--> statement-breakpoint'))
        database.sqlite.run(statement)
    expect(schemaOf(database)).toEqual(schemaOf(before))
    expect(database.sqlite.query('SELECT count(*) AS n FROM users').get()).toEqual({ n: 5 })
  })
})
