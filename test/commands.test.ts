/**
 * The operator's commands, run through the compiled binary as a user would: migrate down and status, the
 * backup before a change, the admin commands beside a running server, import-flask, the console, progress.
 */
import { Database } from 'bun:sqlite'
import { SQL } from 'bun'
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrations, statements } from '../src/db/migrate'
import { embeddedMigrations } from '../src/db/migrations.macro'
import { SCRYPT_HASH_OF_654321, TUTORIAL_HASH_OF_123 } from './services/werkzeug-vectors'
import { compiledBinary, runBinary, serveBinary, type Outcome } from './binary'
import { TEST_POSTGRES, freshPostgres } from './postgres'

// Every test spawns the 120 MB binary several times, some hash with argon2id at production cost.
const SPAWNS = 60_000
const LATEST = migrations.at(-1)!.tag
const migrationsPg = embeddedMigrations('pg').map((migration) => migration.tag)

const folders: string[] = []
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })))

/** A scratch folder that is the working folder of every command a test runs; the database is madblog.db in it. */
function workspace() {
  const folder = mkdtempSync(join(tmpdir(), 'madblog-commands-'))
  folders.push(folder)
  const settings = { DATABASE_URL: join(folder, 'madblog.db'), LOG_LEVEL: 'error' }
  const madblog = (args: string[], stdin?: string, extra: Record<string, string> = {}) => runBinary(args, folder, { ...settings, ...extra }, stdin)
  const query = <T>(sql: string): T[] => {
    const database = new Database(settings.DATABASE_URL, { readonly: true })
    try {
      return database.query(sql).all() as T[]
    } finally {
      database.close()
    }
  }
  return { folder, settings, madblog, query }
}

/** One line on stderr naming the problem, exit 1, nothing on stdout, no stack. */
function expectOneLineError(outcome: Outcome, pattern: RegExp) {
  expect(outcome).toMatchObject({ code: 1, stdout: '' })
  expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(outcome.stderr).toMatch(/^madblog: /)
  expect(outcome.stderr).toMatch(pattern)
}

function expectUsage(outcome: Outcome) {
  expect(outcome.code).toBe(2)
  expect(outcome.stdout).toBe('')
  expect(outcome.stderr).toContain('Usage: madblog [command]')
}

const basic = (username: string, password: string) => ({
  method: 'POST',
  headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
})

describe('migrate status and migrate down', () => {
  test('status lists every migration as pending for a missing file, without creating it, then applied with its time', async () => {
    const { madblog, settings } = workspace()
    const before = await madblog(['migrate', 'status'])
    expect(before.code).toBe(0)
    for (const migration of migrations) expect(before.stdout).toMatch(new RegExp(`^${migration.tag} +pending`, 'm'))
    expect(before.stdout).toContain(`0 applied, ${migrations.length} pending (no database at ${settings.DATABASE_URL} yet)`)
    expect(existsSync(settings.DATABASE_URL)).toBe(false)

    const startedAt = Date.now()
    expect((await madblog(['migrate'])).code).toBe(0)
    const after = await madblog(['migrate', 'status', '--json'])
    const report = JSON.parse(after.stdout) as { migrations: { tag: string; applied: boolean; appliedAt: string }[]; unknown: number }
    expect(report.migrations.map((migration) => migration.tag)).toEqual(migrations.map((migration) => migration.tag))
    for (const migration of report.migrations) {
      expect(migration.applied).toBe(true)
      expect(Date.parse(migration.appliedAt)).toBeGreaterThanOrEqual(startedAt - 1000)
    }
    expect((await madblog(['migrate', 'status'])).stdout).toContain(`${migrations.length} applied, 0 pending`)
  }, SPAWNS)

  test('down on an empty database reverts without a backup; --to a tag reverts the ones after it; errors are one line', async () => {
    const { madblog, folder, settings } = workspace()
    expectOneLineError(await madblog(['migrate', 'down']), /^madblog: no database at \S+ \(check DATABASE_URL\): there is nothing to revert$/m)
    expect(existsSync(settings.DATABASE_URL)).toBe(false)
    await madblog(['migrate'])
    expect(await madblog(['migrate', 'down', '--to', LATEST])).toEqual({ code: 0, stdout: `the database is at ${LATEST}: nothing to revert\n`, stderr: '' })
    expectOneLineError(await madblog(['migrate', 'down', '--to', 'no_such_tag']), /there is no migration no_such_tag/)
    const all = [...migrations].reverse().map((migration) => migration.tag)
    for (const tag of all) expect(await madblog(['migrate', 'down'])).toEqual({ code: 0, stdout: `reverted 1 migration(s): ${tag}\n`, stderr: '' })
    expectOneLineError(await madblog(['migrate', 'down']), /no migration has been applied: there is nothing to revert/)
    const first = migrations[0]!.tag
    expect(await madblog(['migrate', '--to', first])).toEqual({ code: 0, stdout: `applied 1 migration(s): ${first}\n`, stderr: '' })
    expect((await madblog(['migrate', '--to', first])).stdout).toBe(`the database is at ${first} or past it: nothing to apply\n`)
    expect(readdirSync(folder).filter((name) => name.includes('before'))).toEqual([])
    expectUsage(await madblog(['migrate', 'sideways']))
    expectUsage(await madblog(['migrate', 'down', '--sideways']))
  }, SPAWNS)

  test('a down that would drop users is refused without --force, naming them; with it, a backup is taken first', async () => {
    const { madblog, folder, query } = workspace()
    await madblog(['migrate'])
    expect((await madblog(['users', 'create', 'ann', 'ann@example.com', '--password-stdin'], 'secret-1\n')).code).toBe(0)
    // Whatever lies above the first migration loses nothing of ann's; the first one's down drops her table.
    if (migrations.length > 1) expect((await madblog(['migrate', 'down', '--to', migrations[0]!.tag])).code).toBe(0)
    const backups = () => readdirSync(folder).filter((name) => name.includes('-before-'))
    const before = backups()
    const refused = await madblog(['migrate', 'down'])
    expectOneLineError(refused, /would lose table users \(1 row\).*run again with --force/)
    expect(query('SELECT username FROM users')).toEqual([{ username: 'ann' }])
    // The backup taken before the refused down is gone again: it only duplicated the unchanged database.
    expect(backups()).toEqual(before)

    const forced = await madblog(['migrate', 'down', '--force'], undefined, { BACKUP_DIR: 'backups' })
    expect(forced.code).toBe(0)
    const backupPath = /^backed up the database to (\S+) \(1 users, 0 tokens\) before reverting \S+$/m.exec(forced.stdout)?.[1]
    expect(backupPath).toStartWith(join(folder, 'backups', 'madblog-'))
    expect(forced.stdout).toContain('dropped with --force: table users (1 row)')
    const copy = new Database(backupPath!, { readonly: true })
    expect(copy.query('SELECT username FROM users').all()).toEqual([{ username: 'ann' }])
    copy.close()
    expect(query("SELECT name FROM sqlite_master WHERE name = 'users'")).toEqual([])
  }, SPAWNS)

  test('migrate backs up a database holding data before it changes it; a fresh one is not backed up', async () => {
    const { madblog, folder, settings } = workspace()
    const legacy = new Database(settings.DATABASE_URL, { create: true })
    legacy.run('CREATE TABLE notes (body TEXT)')
    legacy.run("INSERT INTO notes VALUES ('kept from before')")
    legacy.close()
    const migrated = await madblog(['migrate'])
    expect(migrated.code).toBe(0)
    const backupPath = /^backed up the database to (\S+) \(0 users, 0 tokens\) before applying /m.exec(migrated.stdout)?.[1]
    expect(backupPath).toStartWith(join(folder, 'madblog-'))
    expect(new Database(backupPath!, { readonly: true }).query('SELECT body FROM notes').all()).toEqual([{ body: 'kept from before' }])
    expect(migrated.stdout).toEndWith(`applied ${migrations.length} migration(s): ${migrations.map((migration) => migration.tag).join(', ')}\n`)

    const fresh = workspace()
    expect((await fresh.madblog(['migrate'])).stdout).not.toContain('backed up')
  }, SPAWNS)

  test('serve backs up a database holding data before its start-up migration, and logs where', async () => {
    const { folder, settings } = workspace()
    const legacy = new Database(settings.DATABASE_URL, { create: true })
    legacy.run('CREATE TABLE notes (body TEXT)')
    legacy.run("INSERT INTO notes VALUES ('kept from before')")
    legacy.close()
    const server = await serveBinary(folder, { ...settings, BACKUP_DIR: join(folder, 'pre-start') })
    await server.stop()
    expect(server.log()).toMatch(new RegExp(`backed up the database to ${join(folder, 'pre-start')}/madblog-\\S+-before-migrate\\.db \\(0 users, 0 tokens\\) before migrating it`))
  }, SPAWNS)
})

describe('admin commands beside a running server', () => {
  test('users and tokens commands act on the live database through the services, with their messages', async () => {
    const { madblog, folder, settings } = workspace()
    await madblog(['migrate'])
    const server = await serveBinary(folder, settings)
    try {
      // migrate and migrate down would change the schema under the server: refused, and nothing changes.
      expectOneLineError(await madblog(['migrate', 'down', '--force']), /is open in another process \(a running madblog server\?\): stop it first/)

      const created = await madblog(['users', 'create', 'tom', 'tom@163.com', '--password-stdin', '--json'], '123456\n')
      expect(created.code).toBe(0)
      const tom = JSON.parse(created.stdout)
      expect(tom).toEqual({ id: expect.any(Number), username: 'tom', email: 'tom@163.com' })
      // The API's rules and words: the identity rule, email validation.
      expectOneLineError(await madblog(['users', 'create', 'TOM', 'other@163.com', '--password-stdin'], 'pw\n'), /^madblog: username: Please use a different username\.$/m)
      expectOneLineError(await madblog(['users', 'create', 'jerry', 'not-an-email', '--password-stdin'], 'pw\n'), /^madblog: email: Please provide a valid email address\.$/m)
      expectOneLineError(await madblog(['users', 'create', 'jerry', 'jerry@163.com']), /no terminal to ask for the password on: pipe it in with --password-stdin/)

      const login = await fetch(`${server.base}/api/tokens`, basic('tom', '123456'))
      expect(login.status).toBe(200)
      const token = ((await login.json()) as { token: string }).token
      const bearer = { headers: { authorization: `Bearer ${token}` } }
      expect((await fetch(`${server.base}/api/users/${tom.id}`, bearer)).status).toBe(200)

      const list = await madblog(['users', 'list'])
      expect(list.stdout).toBe(`id  username  email\n--  --------  -----------\n${tom.id}   tom       tom@163.com\npage 1 of 1, 1 users\n`)
      expect(JSON.parse((await madblog(['users', 'list', '--json', '--page', '2'])).stdout)).toMatchObject({ items: [], meta: { page: 2, totalItems: 1 } })
      expectOneLineError(await madblog(['users', 'list', '--page', 'abc']), /--page must be a whole number from 1, got "abc"/)
      expect((await madblog(['users', 'show', 'TOM'])).stdout).toBe(`id        ${tom.id}\nusername  tom\nemail     tom@163.com\n`)
      expect(JSON.parse((await madblog(['users', 'show', String(tom.id), '--json'])).stdout)).toEqual(tom)
      expectOneLineError(await madblog(['users', 'show', 'nobody']), /^madblog: User not found: nobody$/m)

      expect((await madblog(['tokens', 'revoke', 'tom'])).stdout).toBe(`revoked 1 token(s) of tom (id ${tom.id}): every session of theirs is ended\n`)
      expect((await fetch(`${server.base}/api/users/${tom.id}`, bearer)).status).toBe(401)

      const second = ((await (await fetch(`${server.base}/api/tokens`, basic('tom', '123456'))).json()) as { token: string }).token
      expect((await madblog(['users', 'set-password', 'tom', '--password-stdin'], 'a new one\n')).code).toBe(0)
      expect((await fetch(`${server.base}/api/users/${tom.id}`, { headers: { authorization: `Bearer ${second}` } })).status).toBe(401)
      expect((await fetch(`${server.base}/api/tokens`, basic('tom', '123456'))).status).toBe(401)
      expect((await fetch(`${server.base}/api/tokens`, basic('tom', 'a new one'))).status).toBe(200)
      expectOneLineError(await madblog(['users', 'set-password', 'tom', '--password-stdin'], ''), /^madblog: password: Please provide a valid password\.$/m)

      expectOneLineError(await madblog(['users', 'delete', 'tom']), /there is no terminal to confirm on; pass --yes/)
      expect((await madblog(['users', 'delete', 'tom', '--yes'])).stdout).toBe(`deleted user tom (id ${tom.id}) and their sessions\n`)
      expectOneLineError(await madblog(['users', 'show', 'tom']), /^madblog: User not found: tom$/m)
      expect((await fetch(`${server.base}/api/tokens`, basic('tom', 'a new one'))).status).toBe(401)

      for (const args of [['users'], ['users', 'frobnicate'], ['tokens', 'frobnicate'], ['users', 'show'], ['users', 'list', '--bogus']])
        expectUsage(await madblog(args))
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }, SPAWNS)

  test('tokens prune removes only expired tokens; commands refuse a database that is missing or behind', async () => {
    const { madblog, settings } = workspace()
    expectOneLineError(await madblog(['users', 'list']), /no database at .*madblog\.db \(check DATABASE_URL, or create it with madblog migrate\)/)
    await madblog(['migrate'])
    const database = new Database(settings.DATABASE_URL)
    database.run("INSERT INTO users (username, email, password_hash) VALUES ('ann', 'ann@example.com', 'x')")
    database.run("INSERT INTO tokens (user_id, token_hash, expires_at) VALUES (1, 'old', 0), (1, 'live', ?)", [Date.now() + 60_000])
    database.close()
    expect((await madblog(['tokens', 'prune'])).stdout).toBe('pruned 1 expired token(s)\n')
    expect((await madblog(['tokens', 'prune'])).stdout).toBe('pruned 0 expired token(s)\n')

    await madblog(['migrate', 'down', '--force'])
    expectOneLineError(await madblog(['tokens', 'prune']), /the database needs migrating first \(.*\): run madblog migrate/)
  }, SPAWNS)
})

/** A workspace whose DATABASE_URL is a fresh database on the test server, dropped after the test. */
async function postgresWorkspace() {
  const database = await freshPostgres()
  drops.push(database.drop)
  const { folder } = workspace()
  const settings = { DATABASE_URL: database.url, LOG_LEVEL: 'error', PG_STARTUP_WAIT_SECONDS: '2' }
  const madblog = (args: string[], stdin?: string) => runBinary(args, folder, settings, stdin)
  const query = async <T>(text: string): Promise<T[]> => {
    const sql = new SQL({ url: database.url, max: 1 })
    try {
      return [...(await sql.unsafe(text))] as T[]
    } finally {
      await sql.close()
    }
  }
  return { folder, settings, madblog, query }
}
const drops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop()
})

describe.skipIf(!TEST_POSTGRES)('on PostgreSQL', () => {
  test('users, tokens and the console act beside a running replica; migrate down refuses while it runs', async () => {
    const { madblog, folder, settings } = await postgresWorkspace()
    expectOneLineError(await madblog(['users', 'list']), /the database needs migrating first \(.*\): run madblog migrate/)
    expect((await madblog(['migrate'])).stdout).toBe(`applied ${migrationsPg.length} migration(s): ${migrationsPg.join(', ')}\n`)
    const server = await serveBinary(folder, settings)
    try {
      const tom = JSON.parse((await madblog(['users', 'create', 'tom', 'tom@163.com', '--password-stdin', '--json'], '123456\n')).stdout)
      expect(tom).toEqual({ id: expect.any(Number), username: 'tom', email: 'tom@163.com' })
      expectOneLineError(await madblog(['users', 'create', 'TOM', 'other@163.com', '--password-stdin'], 'pw\n'), /^madblog: username: Please use a different username\.$/m)
      expect((await madblog(['users', 'list'])).stdout).toBe(`id  username  email\n--  --------  -----------\n${tom.id}   tom       tom@163.com\npage 1 of 1, 1 users\n`)
      expect(JSON.parse((await madblog(['users', 'show', 'TOM', '--json'])).stdout)).toEqual(tom)

      const login = async (password: string) => fetch(`${server.base}/api/tokens`, basic('tom', password))
      const bearer = async (password: string) => ({ headers: { authorization: `Bearer ${((await (await login(password)).json()) as { token: string }).token}` } })
      const first = await bearer('123456')
      expect((await madblog(['tokens', 'revoke', 'tom'])).stdout).toBe(`revoked 1 token(s) of tom (id ${tom.id}): every session of theirs is ended\n`)
      expect((await fetch(`${server.base}/api/users/${tom.id}`, first)).status).toBe(401)
      const second = await bearer('123456')
      expect((await madblog(['users', 'set-password', 'tom', '--password-stdin'], 'a new one\n')).code).toBe(0)
      expect((await fetch(`${server.base}/api/users/${tom.id}`, second)).status).toBe(401)
      expect((await login('a new one')).status).toBe(200)
      expect((await madblog(['tokens', 'prune'])).stdout).toBe('pruned 0 expired token(s)\n')

      const session = await madblog(['console'], "(await services.users.getByUsername('tom')).email\n(await db.select({ name: users.username }).from(users))\n")
      expect(session).toEqual({ code: 0, stdout: "'tom@163.com'\n[ { name: 'tom' } ]\n", stderr: '' })

      expectOneLineError(await madblog(['migrate', 'down', '--no-backup']), /other madblog connection\(s\) hold this database \(running replicas\?\): stop them first/)
      expect((await madblog(['users', 'delete', 'tom', '--yes'])).stdout).toBe(`deleted user tom (id ${tom.id}) and their sessions\n`)
      expect((await login('a new one')).status).toBe(401)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }, SPAWNS)

  test('migrate status and down: pg_dump named before a down, data loss refused without --force, and back up', async () => {
    const { madblog } = await postgresWorkspace()
    const before = await madblog(['migrate', 'status'])
    for (const tag of migrationsPg) expect(before.stdout).toMatch(new RegExp(`^${tag} +pending`, 'm'))
    const startedAt = Date.now()
    await madblog(['migrate'])
    const report = JSON.parse((await madblog(['migrate', 'status', '--json'])).stdout) as { migrations: { applied: boolean; appliedAt: string }[] }
    for (const migration of report.migrations) expect(Date.parse(migration.appliedAt)).toBeGreaterThanOrEqual(startedAt - 1000)
    expect((await madblog(['users', 'create', 'ann', 'ann@example.com', '--password-stdin'], 'secret-1\n')).code).toBe(0)

    expectOneLineError(await madblog(['migrate', 'down']), /^madblog: madblog does not back up PostgreSQL: take a copy first \(pg_dump .*\), then run again with --no-backup$/m)
    if (migrationsPg.length > 1) expect((await madblog(['migrate', 'down', '--no-backup', '--to', migrationsPg[0]!])).code).toBe(0)
    expectOneLineError(await madblog(['migrate', 'down', '--no-backup']), /would lose table users \(1 row\).*run again with --force/)
    expectOneLineError(await madblog(['users', 'show', 'ann']), /the database needs migrating first \(.*\): run madblog migrate/)
    const forced = await madblog(['migrate', 'down', '--no-backup', '--force'])
    expect(forced.stdout).toBe(`reverted 1 migration(s): ${migrationsPg[0]}\ndropped with --force: table users (1 row)\n`)
    expect((await madblog(['migrate', 'status'])).stdout).toContain(`0 applied, ${migrationsPg.length} pending`)
    expect((await madblog(['migrate'])).code).toBe(0)
    expect((await madblog(['users', 'list'])).stdout).toBe('page 1 of 1, 0 users\n')
  }, SPAWNS)
})

/** A tutorweb.db as Flask-SQLAlchemy makes it for the tutorial's User model, with the given rows. */
function flaskDatabase(path: string, rows: [number, string, string, string][], table = 'user') {
  const database = new Database(path, { create: true })
  database.run(`CREATE TABLE "${table}" (
    id INTEGER NOT NULL, username VARCHAR(64), email VARCHAR(120), password_hash VARCHAR(128),
    token VARCHAR(32), token_expiration DATETIME, PRIMARY KEY (id))`)
  database.run(`CREATE UNIQUE INDEX ix_${table}_username ON "${table}" (username)`)
  database.run('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)')
  for (const row of rows)
    database.run(`INSERT INTO "${table}" (id, username, email, password_hash, token, token_expiration) VALUES (?, ?, ?, ?, ?, ?)`, [
      ...row,
      'q2L2Umakr5/iSrf1L4mglZmYoBD/K9Je',
      '2026-12-01 10:00:00',
    ])
  database.close()
}

describe('import-flask', () => {
  const TUTORIAL_ROWS: [number, string, string, string][] = [
    [1, 'madman', 'madman@163.com', TUTORIAL_HASH_OF_123],
    [2, 'tom', 'tom@163.com', SCRYPT_HASH_OF_654321],
    [3, 'Tom', 'tom2@163.com', TUTORIAL_HASH_OF_123], // equal to tom under the identity rule
    [4, 'a:b', 'ab@163.com', TUTORIAL_HASH_OF_123], // ':' cannot travel in Basic auth
    [5, 'bob', 'not-an-email', TUTORIAL_HASH_OF_123],
    [6, 'x'.repeat(65), 'long@163.com', TUTORIAL_HASH_OF_123],
    [7, 'carol', 'carol@163.com', 'md5$salt$0123456789abcdef'],
    [8, 'ｆｕｌｌ', 'full@163.com', TUTORIAL_HASH_OF_123], // stored in the identity rule's normal form, full
  ]

  /** The tutorial's users moved in, on SQLite or (query answering asynchronously) PostgreSQL. */
  async function importSession({ madblog, folder, settings, query }: {
    madblog: (args: string[]) => Promise<Outcome>
    folder: string
    settings: Record<string, string>
    query: <T>(sql: string) => T[] | Promise<T[]>
  }) {
    flaskDatabase(join(folder, 'tutorweb.db'), TUTORIAL_ROWS)
    await madblog(['migrate'])

    const dryRun = await madblog(['import-flask', 'tutorweb.db', '--dry-run'])
    expect(dryRun.code).toBe(0)
    expect(dryRun.stdout).toContain('would import 3 of 8 users from tutorweb.db (table user); 5 skipped, 0 already here; dry run: nothing was changed')
    expect(await query('SELECT CAST(count(*) AS integer) AS n FROM users')).toEqual([{ n: 0 }])

    const imported = await madblog(['import-flask', 'tutorweb.db'])
    expect(imported.code).toBe(0)
    expect(imported.stderr).toBe('')
    expect(imported.stdout).toBe(
      [
        'skipped id 3 "Tom": username: Please use a different username.',
        'skipped id 4 "a:b": username: Please provide a valid username.',
        'skipped id 5 "bob": email: Please provide a valid email address.',
        `skipped id 6 "${'x'.repeat(65)}": username: Please provide a valid username.`,
        'skipped id 7 "carol": password_hash: a format madblog cannot check (it takes werkzeug pbkdf2:<digest>:<iterations> and scrypt:<n>:<r>:<p>, and argon2)',
        'imported 3 of 8 users from tutorweb.db (table user); 5 skipped, 0 already here',
        'tokens were not imported (the tutorial stores them in plain text): users log in again for new ones',
        '',
      ].join('\n'),
    )
    expect(await query('SELECT CAST(id AS integer) AS id, username FROM users ORDER BY id')).toEqual([
      { id: 1, username: 'madman' },
      { id: 2, username: 'tom' },
      { id: 8, username: 'full' },
    ])
    expect(await query('SELECT CAST(count(*) AS integer) AS n FROM tokens')).toEqual([{ n: 0 }])

    // A second run imports nothing twice.
    expect((await madblog(['import-flask', 'tutorweb.db'])).stdout).toContain('imported 0 of 8 users from tutorweb.db (table user); 5 skipped, 3 already here')

    const server = await serveBinary(folder, settings)
    try {
      expect((await fetch(`${server.base}/api/tokens`, basic('madman', '1234'))).status).toBe(401)
      expect((await fetch(`${server.base}/api/tokens`, basic('madman', '123'))).status).toBe(200)
      expect((await fetch(`${server.base}/api/tokens`, basic('tom', '654321'))).status).toBe(200)
      const hashes = await query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id IN (1, 2)')
      for (const { password_hash } of hashes) expect(password_hash).toStartWith('$argon2id$')
      expect((await fetch(`${server.base}/api/tokens`, basic('madman', '123'))).status).toBe(200)
      const next = await fetch(`${server.base}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'new', email: 'new@163.com', password: 'pw' }) })
      // Ids carry on after the imported ones.
      expect(((await next.json()) as { id: number }).id).toBe(9)
    } finally {
      await server.stop()
    }
  }

  test('imports the valid users with their ids, lists the rest with reasons, and they log in with their old passwords', () => importSession(workspace()), SPAWNS)
  test.skipIf(!TEST_POSTGRES)('into PostgreSQL too, in one transaction, its id sequence moved past the ids kept', async () => {
    await importSession(await postgresWorkspace())
  }, SPAWNS)

  test('a table named users is read too; a file that is not such a database is one line and exit 1', async () => {
    const { madblog, folder } = workspace()
    await madblog(['migrate'])
    flaskDatabase(join(folder, 'renamed.db'), [[9, 'madman', 'madman@163.com', TUTORIAL_HASH_OF_123]], 'users')
    expect((await madblog(['import-flask', 'renamed.db'])).stdout).toContain('imported 1 of 1 users from renamed.db (table users)')
    await Bun.write(join(folder, 'notes.txt'), 'not a database at all, just some text that is long enough to matter')
    expectOneLineError(await madblog(['import-flask', 'notes.txt']), /^madblog: notes\.txt is not a SQLite database/)
    const other = new Database(join(folder, 'other.db'), { create: true })
    other.run('CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT)')
    other.close()
    expectOneLineError(await madblog(['import-flask', 'other.db']), /has no table user or users with the columns id, username, email, password_hash/)
    expectOneLineError(await madblog(['import-flask', 'absent.db']), /^madblog: no file at absent\.db$/m)
    expectUsage(await madblog(['import-flask']))
  }, SPAWNS)
})

describe('console', () => {
  test('piped lines run in order with the services, the schema and the database in scope; an uncaught error exits 1', async () => {
    const { madblog } = workspace()
    await madblog(['migrate'])
    const script = [
      "const tom = await services.users.register(checkNewUser({ username: 'tom', email: 'tom@163.com', password: '123456' }), client)",
      'tom.username',
      "(await services.tokens.login({ username: 'tom', password: '123456' }, client)).token.length",
      'db.select({ name: users.username }).from(users).where(eq(users.id, tom.id)).all()',
      'const total = {',
      '  users: await db.$count(users) }',
      'total',
      '',
    ].join('\n')
    const session = await madblog(['console'], script)
    expect(session).toEqual({ code: 0, stdout: "undefined\n'tom'\n43\n[ { name: 'tom' } ]\nundefined\n{ users: 1 }\n", stderr: '' })
    const failed = await madblog(['console'], "await services.tokens.login({ username: 'tom', password: 'wrong' }, client)\n1 + 1\n")
    expect(failed.code).toBe(1)
    // The compiled binary is minified: the error's class name is not kept, its message is.
    expect(failed.stdout).toStartWith('Uncaught')
    expect(failed.stdout).toContain('Invalid username or password')
    expect(failed.stdout).toEndWith('\n2\n')
  }, SPAWNS)
})

/**
 * Runs the binary on a pseudo-terminal (script(1) from util-linux), typing each reply once its prompt has been
 * shown; resolves with everything the terminal showed.
 */
async function onTerminal(args: string, cwd: string, settings: Record<string, string>, replies: [prompt: string, typed: string][] = []) {
  const { binary } = await compiledBinary()
  const child = Bun.spawn(['script', '-q', '-e', '-c', `${binary} ${args}`, '/dev/null'], {
    cwd,
    env: { PATH: process.env.PATH!, ...settings },
    stdin: 'pipe',
    stdout: 'pipe',
  })
  const decoder = new TextDecoder()
  let shown = ''
  let answered = 0
  const reader = child.stdout.getReader()
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    shown += decoder.decode(chunk.value, { stream: true })
    const next = replies[answered]
    if (next && shown.split(next[0]).length - 1 > replies.slice(0, answered).filter(([prompt]) => prompt === next[0]).length) {
      child.stdin.write(next[1])
      child.stdin.flush()
      answered++
    }
  }
  await child.exited
  return shown
}

describe('on a terminal', () => {
  test('users create asks for the password twice without echo; users delete asks before deleting', async () => {
    const { folder, settings, madblog, query } = workspace()
    await madblog(['migrate'])
    const created = await onTerminal('users create jane jane@example.com', folder, settings, [
      ['New password: ', 'typed-unseen\r'],
      ['Repeat it: ', 'typed-unseen\r'],
    ])
    expect(created).toContain('created user jane (id 1)')
    expect(created).not.toContain('typed-unseen')
    const { password_hash } = query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = 'jane'")[0]!
    expect(await Bun.password.verify('typed-unseen', password_hash)).toBe(true)

    const differ = await onTerminal('users set-password jane', folder, settings, [['New password: ', 'one\r'], ['Repeat it: ', 'two\r']])
    expect(differ).toContain('madblog: the two passwords differ; nothing was changed')
    const kept = await onTerminal('users delete jane', folder, settings, [['[y/N] ', 'n\r']])
    expect(kept).toContain('nothing deleted')
    const deleted = await onTerminal('users delete jane', folder, settings, [['[y/N] ', 'y\r']])
    expect(deleted).toContain('deleted user jane (id 1) and their sessions')
    expect(query('SELECT count(*) AS n FROM users')).toEqual([{ n: 0 }])
  }, SPAWNS)

  test('the console is the REPL: multi-line input, await, the services in scope', async () => {
    const { folder, settings, madblog } = workspace()
    await madblog(['migrate'])
    const shown = await onTerminal('console', folder, settings, [
      ['madblog> ', "const user = await services.users.register(checkNewUser({\r"],
      ['| ', "  username: 'tom', email: 'tom@163.com', password: '123456' }), client)\r"],
      ['madblog> ', 'user.id + 41\r'],
      ['42', '.exit\r'],
    ])
    expect(shown).toContain('madblog console on')
    expect(shown).toContain('42')
  }, SPAWNS)

  test('migrate and migrate down draw their progress in statements', async () => {
    const { folder, settings } = workspace()
    const total = migrations.reduce((sum, migration) => sum + statements(migration.sql).length, 0)
    const up = await onTerminal('migrate', folder, settings)
    expect(up).toMatch(new RegExp(`\\r\x1b\\[Kmigrating: ${total}/${total} statements \\(100%\\).*\\r\x1b\\[Kapplied ${migrations.length} migration`))
    const down = await onTerminal('migrate down', folder, settings)
    expect(down).toMatch(/\r\x1b\[Kreverting: (\d+)\/\1 statements \(100%\).*\r\x1b\[Kreverted 1 migration/)
  }, SPAWNS)

  test('backup draws its progress in pages of the database, then its summary', async () => {
    const { folder, settings, madblog } = workspace()
    await madblog(['migrate'])
    const drawn = await onTerminal('backup copy.db', folder, settings)
    expect(drawn).toMatch(/\r\x1b\[Kbacking up: (\d+)\/\1 pages \(100%\).*\r\x1b\[Kwrote \S+copy\.db: 0 users/)
    expect(await onTerminal('backup --quiet quiet.db', folder, settings)).not.toContain('backing up')
    const piped = await madblog(['backup', 'piped.db'])
    expect(piped.stdout).toMatch(/^wrote \S+piped\.db: 0 users, 0 tokens, \d+ KiB, integrity ok\n$/)
  }, SPAWNS)

  test('import-flask draws one updating line, then the summary; --quiet and a pipe get the summary only', async () => {
    const { folder, settings, madblog } = workspace()
    await madblog(['migrate'])
    flaskDatabase(join(folder, 'tutorweb.db'), Array.from({ length: 300 }, (_, index) => [index + 1, `user${index}`, `user${index}@163.com`, TUTORIAL_HASH_OF_123]))
    const quiet = await onTerminal('import-flask tutorweb.db --dry-run --quiet', folder, settings)
    expect(quiet).not.toContain('importing:')
    expect(quiet).toContain('would import 300 of 300 users')
    const drawn = await onTerminal('import-flask tutorweb.db --dry-run', folder, settings)
    expect(drawn).toMatch(/\r\x1b\[Kimporting: 300\/300 rows \(100%\), \d+ rows\/s, 0 s left\r\x1b\[K/)
    expect(drawn).toContain('would import 300 of 300 users')
    const piped = await madblog(['import-flask', 'tutorweb.db', '--dry-run'])
    expect(piped.stdout).not.toContain('\r')
    expect(piped.stdout).toContain('would import 300 of 300 users')
  }, SPAWNS)
})
