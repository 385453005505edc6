import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CLI, request, scratchDir, seedAccounts, startServer } from './server'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

function scratch() {
  const folder = scratchDir()
  cleanups.push(folder.remove)
  return folder.dir
}

/** `madblog backup <args>` against the database at `databasePath`. */
async function backup(databasePath: string, ...args: string[]) {
  const child = Bun.spawn(['bun', CLI, 'backup', ...args], {
    env: { ...process.env, DATABASE_URL: databasePath, LOG_LEVEL: 'error' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { stdout, stderr, code }
}

const integrity = (database: Database) => database.query('PRAGMA integrity_check').all()

describe('madblog backup <file>', () => {
  test('writes a checked copy, creating its folder, and says what it wrote', async () => {
    const dir = scratch()
    const source = join(dir, 'madblog.db')
    await seedAccounts(source, ['ann', 'bob'])
    const target = join(dir, 'backups', 'nightly', 'copy.db')
    const result = await backup(source, target)
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const size = Bun.file(target).size
    expect(result.stdout).toBe(`wrote ${target}: 2 users, 2 tokens, ${Math.ceil(size / 1024)} KiB, integrity ok\n`)
    // Only the finished copy is left: no partial file beside it.
    expect(readdirSync(dirname(target))).toEqual(['copy.db'])
    const copy = new Database(target, { readonly: true })
    expect(integrity(copy)).toEqual([{ integrity_check: 'ok' }])
    expect(copy.query('SELECT username FROM users ORDER BY id').all()).toEqual([{ username: 'ann' }, { username: 'bob' }])
    copy.close()
  }, 30_000)

  test('never overwrites: an existing file is one line on stderr and exit 1, and stays as it was', async () => {
    const dir = scratch()
    const source = join(dir, 'madblog.db')
    await seedAccounts(source, ['ann'])
    const target = join(dir, 'precious.txt')
    await Bun.write(target, 'do not touch')
    const result = await backup(source, target)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`madblog: ${target} already exists; choose a new file name (a backup never overwrites)\n`)
    expect(readFileSync(target, 'utf8')).toBe('do not touch')
    // Backing up onto the live database itself is the same refusal.
    expect((await backup(source, source)).code).toBe(1)
  }, 30_000)

  test('a missing database is one line and exit 1, and creates nothing', async () => {
    const dir = scratch()
    const result = await backup(join(dir, 'absent.db'), join(dir, 'copy.db'))
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`madblog: no database at ${join(dir, 'absent.db')} (check DATABASE_URL)\n`)
    expect(existsSync(join(dir, 'absent.db')) || existsSync(join(dir, 'copy.db'))).toBe(false)
  }, 30_000)

  test.each([[[]], [['one.db', 'two.db']]])('%j as arguments: the usage and exit 2', async (args) => {
    const dir = scratch()
    const result = await backup(join(dir, 'madblog.db'), ...args)
    expect(result.code).toBe(2)
    expect(result.stderr).toStartWith('madblog: backup needs exactly one argument, the file to write\n')
    expect(result.stderr).toContain('backup <file>')
  }, 30_000)
})

test('a backup taken under write load is consistent, holds every acknowledged write, and restores', async () => {
  const dir = scratch()
  const path = join(dir, 'madblog.db')
  const accounts = await seedAccounts(path, ['u0', 'u1', 'u2', 'u3'])
  const server = await startServer(path)
  cleanups.push(() => server.process.kill('SIGKILL'))

  // Each account renames itself to u<k>_v<n> over and over; n only grows.
  let running = true
  const acknowledged = new Map(accounts.map((account) => [account.id, 0]))
  // The backup starts once every writer has had a few renames acknowledged: it runs under load, not before it.
  const underLoad: Promise<void>[] = []
  const writers = accounts.map(async ({ id, username, token }) => {
    let loaded!: () => void
    underLoad.push(new Promise<void>((resolve) => (loaded = resolve)))
    for (let n = 1; running; n++) {
      const answer = await request(server.base, 'PUT', `/api/users/${id}`, { token, body: { username: `${username}_v${n}`, email: `${username}.v${n}@example.com` } })
      expect(answer.status).toBe(200)
      acknowledged.set(id, n)
      if (n === 3) loaded()
    }
  })
  await Promise.all(underLoad)
  const before = new Map(acknowledged)
  const target = join(dir, 'backup.db')
  const result = await backup(path, target)
  running = false
  await Promise.all(writers)
  expect(result.code).toBe(0)

  const copy = new Database(target, { readonly: true, strict: true })
  expect(integrity(copy)).toEqual([{ integrity_check: 'ok' }])
  const rows = copy.query<{ id: number; username: string; email: string }, []>('SELECT id, username, email FROM users ORDER BY id').all()
  copy.close()
  expect(rows).toHaveLength(accounts.length)
  for (const { id, username, email } of rows) {
    const n = Number(/_v(\d+)$/.exec(username)?.[1])
    // Every rename acknowledged before the backup began is in it (or a later one), and the row is whole.
    expect(n).toBeGreaterThanOrEqual(before.get(id)!)
    expect(n).toBeGreaterThan(0)
    expect(n).toBeLessThanOrEqual(acknowledged.get(id)! + 1)
    expect(email).toBe(`${username.replace(/_v\d+$/, '')}.v${n}@example.com`)
  }

  // Restore: stop the server, put the backup in the database's place, start again.
  server.process.kill('SIGTERM')
  expect(await server.process.exited).toBe(0)
  expect(existsSync(`${path}-wal`)).toBe(false)
  copyFileSync(target, path)
  const restored = await startServer(path)
  cleanups.push(() => restored.process.kill('SIGKILL'))
  const [first] = accounts
  const self = await request(restored.base, 'GET', `/api/users/${first!.id}`, { token: first!.token })
  expect(self.status).toBe(200)
  expect({ id: self.body.id, username: self.body.username, email: self.body.email }).toEqual(rows.find((row) => row.id === first!.id)!)
  restored.process.kill('SIGTERM')
  expect(await restored.process.exited).toBe(0)
}, 90_000)
