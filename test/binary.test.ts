/**
 * The compiled binary, alone in an empty folder: no sources, no node_modules, a bare environment
 * (test/binary.ts builds it once for every file that runs it).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { VERSION } from '../src/app'
import { SETTING_NAMES } from '../src/config'
import { encodeGlobalId } from '../src/graphql/ids'
import { compiledBinary } from './binary'
import { listening } from './process/server'

const REPO = join(import.meta.dir, '..')
/** A port nobody listens on: the kernel picks it, and it is let go at once. */
function silentPort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  probe.stop(true)
  return probe.port
}
// Each test spawns the 120 MB binary, some several times: on a busy machine that is seconds, not milliseconds.
const SPAWNS = 30_000

let folder = ''
let binary = ''
const running = new Set<Bun.Subprocess>()

beforeAll(async () => {
  ;({ folder, binary } = await compiledBinary())
}, 120_000)

afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
})

/** Only what a user's shell would surely have, plus the given settings; cwd is the binary's folder. */
function environment(settings: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: folder, ...settings }
}

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

async function run(args: string[], settings: Record<string, string> = {}, cwd = folder): Promise<Outcome> {
  const child = Bun.spawn([binary, ...args], { cwd, env: environment(settings), stdout: 'pipe', stderr: 'pipe' })
  running.add(child)
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  running.delete(child)
  return { code, stdout, stderr }
}

// The port the last `start` got from the kernel (PORT=0), so that no other run's server can answer in its place.
let port = 0
const serverSettings = (database: string) => ({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database })
const url = (path: string) => `http://127.0.0.1:${port}${path}`

/** Starts `serve` on a port the kernel picks, once it says it listens. */
async function start(database: string) {
  const child = Bun.spawn([binary, 'serve'], {
    cwd: folder,
    env: environment({ ...serverSettings(database), PORT: '0' }),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  running.add(child)
  port = (await listening(child)).port
  return { child }
}

/** SIGTERM, then the exit code and how long the process took to end. */
async function terminate(child: Bun.Subprocess) {
  const sentAt = performance.now()
  child.kill('SIGTERM')
  const code = await Promise.race([child.exited, Bun.sleep(5_000).then(() => 'still running')])
  running.delete(child)
  return { code, ms: performance.now() - sentAt }
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

/** One line naming the problem, and no stack trace. */
function expectOneLineError(outcome: Outcome, pattern: RegExp) {
  expect(outcome.code).toBe(1)
  const lines = outcome.stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^madblog: /)
  expect(lines[0]).toMatch(pattern)
  expect(outcome.stderr).not.toMatch(/\bat .*:\d+/)
}

describe('the binary, alone in an empty folder', () => {
  test('has nothing beside it', () => {
    expect(Bun.spawnSync(['ls', '-A', folder]).stdout.toString().trim()).toBe('madblog')
  })

  test('--help lists the commands and every setting and exits 0; --version prints the version', async () => {
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    const commands = ['serve', 'migrate', 'migrate down', 'migrate status', 'healthcheck', 'backup', '--help', '--version']
    const admin = ['users list', 'users show', 'users create', 'users set-password', 'users delete', 'tokens revoke', 'tokens prune']
    for (const command of [...commands, ...admin, 'import-flask', 'console']) expect(help.stdout).toContain(`  ${command}`)
    for (const setting of SETTING_NAMES) expect(help.stdout).toContain(setting)
    const version = await run(['--version'])
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
  }, SPAWNS)

  test('an unknown command or option prints the usage on stderr and exits 2', async () => {
    for (const args of [['frobnicate'], ['--frobnicate'], ['serve', '--port=1']]) {
      const outcome = await run(args)
      expect(outcome.code).toBe(2)
      expect(outcome.stdout).toBe('')
      expect(outcome.stderr).toContain('Usage: madblog [command]')
    }
  }, SPAWNS)

  test('migrate creates a new file, reports what ran, then that it is up to date', async () => {
    const tags = (JSON.parse(readFileSync(join(REPO, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] })
      .entries.map((entry) => entry.tag)
    const settings = { DATABASE_URL: 'migrated/madblog.db' }
    const first = await run(['migrate'], settings)
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout.trim()).toBe(`applied ${tags.length} migration(s): ${tags.join(', ')}`)
    expect(existsSync(join(folder, 'migrated/madblog.db'))).toBe(true)
    expect(await run(['migrate'], settings)).toEqual({ code: 0, stdout: 'database is up to date\n', stderr: '' })
  }, SPAWNS)

  test('settings come from .env in the working folder too', async () => {
    const elsewhere = join(folder, 'with-dotenv')
    mkdirSync(elsewhere)
    writeFileSync(join(elsewhere, '.env'), 'PORT=abc\n')
    expectOneLineError(await run(['migrate'], {}, elsewhere), /PORT .*"abc"/)
  }, SPAWNS)
})

describe('serve, healthcheck, restart', () => {
  const database = 'data/madblog.db'
  const account = { username: 'binary', email: 'binary@example.com', password: 'compiled-once' }
  let token = ''

  test('serves REST, GraphQL, the OpenAPI document and both UIs from inside the binary', async () => {
    const { child } = await start(database)

    expect(await (await fetch(url('/api/ping'))).json()).toBe('Pong!')
    const created = await fetch(url('/api/users'), json(account))
    expect(created.status).toBe(201)
    const id = (await created.json()).id

    const basic = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`
    const login = await fetch(url('/api/tokens'), { method: 'POST', headers: { authorization: basic } })
    expect(login.status).toBe(200)
    token = (await login.json()).token
    const bearer = { authorization: `Bearer ${token}` }

    const user = await fetch(url(`/api/users/${id}`), { headers: bearer })
    expect(await user.json()).toMatchObject({ id, username: account.username, email: account.email })

    const graphql = await fetch(url('/graphql'), json({ query: '{ me { id username } }' }, bearer))
    expect(await graphql.json()).toEqual({ data: { me: { id: encodeGlobalId('User', id), username: account.username } } })

    const openapi = await (await fetch(url('/swagger/json'))).json()
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/users', '/api/tokens']))

    const docsPage = await (await fetch(url('/swagger'))).text()
    expect(docsPage).toContain('/swagger/assets/api-reference.js')
    const docsScript = await fetch(url('/swagger/assets/api-reference.js'))
    expect(docsScript.status).toBe(200)
    expect(await docsScript.text()).toBe(readFileSync(join(REPO, 'src/assets/api-reference.js'), 'utf8'))

    const playground = await (await fetch(url('/graphql'), { headers: { accept: 'text/html' } })).text()
    expect(playground).toContain('/graphql/assets/graphiql.js')
    const playgroundScript = await fetch(url('/graphql/assets/graphiql.js'))
    expect(await playgroundScript.text()).toBe(readFileSync(join(REPO, 'src/assets/graphiql.js'), 'utf8'))

    // healthcheck reads the same settings as serve.
    expect((await run(['healthcheck'], serverSettings(database))).code).toBe(0)
    expect((await run(['healthcheck'], { ...serverSettings(database), PORT: String(silentPort()) })).code).toBe(1)

    expect(await terminate(child)).toMatchObject({ code: 0 })
  }, SPAWNS)

  test('after SIGTERM nothing answers, healthcheck exits 1; a restart keeps the account and its token', async () => {
    expect((await run(['healthcheck'], serverSettings(database))).code).toBe(1)
    const { child } = await start(database)
    const user = await fetch(url('/api/users/1'), { headers: { authorization: `Bearer ${token}` } })
    expect(user.status).toBe(200)
    expect((await user.json()).email).toBe(account.email)

    const stopped = await terminate(child)
    expect(stopped.code).toBe(0)
    expect(stopped.ms).toBeLessThan(3_000)
    // The database was checkpointed and closed: one self-contained file, no WAL left behind.
    expect(existsSync(join(folder, `${database}-wal`))).toBe(false)
  }, SPAWNS)
})

describe('start-up failures are one clear line and exit 1', () => {
  test('a database path under a regular file', async () => {
    writeFileSync(join(folder, 'plain-file'), 'not a folder')
    for (const command of ['serve', 'migrate'])
      expectOneLineError(await run([command], { PORT: String(silentPort()), DATABASE_URL: 'plain-file/madblog.db' }), /plain-file/)
  }, SPAWNS)

  test('a file that is not a database is left untouched', async () => {
    const junk = join(folder, 'junk.db')
    const bytes = crypto.getRandomValues(new Uint8Array(8192))
    writeFileSync(junk, bytes)
    expectOneLineError(await run(['migrate'], { DATABASE_URL: 'junk.db' }), /cannot open database "junk\.db": file is not a database/)
    expect(new Uint8Array(readFileSync(junk))).toEqual(bytes)
  }, SPAWNS)

  test('a migration that fails is rolled back whole', async () => {
    const path = join(folder, 'clashing.db')
    const sqlite = new Database(path)
    sqlite.run('CREATE TABLE users (name TEXT)') // the first migration creates users as well
    sqlite.close()
    expectOneLineError(await run(['migrate'], { DATABASE_URL: 'clashing.db' }), /migration .* failed and was rolled back: .*users.* already exists/)
    const after = new Database(path, { readonly: true })
    const tables = after.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all()
    const applied = after.query<{ n: number }, []>('SELECT count(*) AS n FROM __drizzle_migrations').get()
    after.close()
    expect(tables.map((table) => table.name)).not.toContain('tokens')
    expect(applied?.n).toBe(0)
  }, SPAWNS)

  test('a bad setting names itself', async () => {
    expectOneLineError(await run(['serve'], { PORT: 'abc' }), /^madblog: PORT must be a whole number .*"abc"$/)
  }, SPAWNS)
})
