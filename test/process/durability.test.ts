import { Database } from 'bun:sqlite'
import { afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { request, scratchDir, seedAccounts, startServer } from './server'

interface Account {
  id: number
  username: string
  email: string
}

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

test('SIGKILL mid-load loses no acknowledged write, and the file passes integrity_check', async () => {
  const scratch = scratchDir()
  cleanups.push(scratch.remove)
  const path = join(scratch.dir, 'madblog.db')
  const updaters = await seedAccounts(path, ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'])
  const server = await startServer(path)
  cleanups.push(() => server.process.kill('SIGKILL'))
  let running = true

  // Registrations hash at production cost, so only a few run at once; each 201 is a promise the row exists.
  const registered: Account[] = []
  let threeRegistered!: () => void
  const enoughRegistered = new Promise<void>((resolve) => (threeRegistered = resolve))
  const registering = [0, 1, 2].map(async (worker) => {
    for (let n = 0; running; n++) {
      const account = { username: `r${worker}_${n}`, email: `r${worker}_${n}@example.com` }
      const answer = await request(server.base, 'POST', '/api/users', { body: { ...account, password: 'secret' } }).catch(() => undefined)
      if (!answer) return // the server is gone
      expect(answer.status).toBe(201)
      if (registered.push({ id: answer.body.id, ...account }) === 3) threeRegistered()
    }
  })

  // Each updater renames itself over and over; only the last 200, or the request in flight at the kill, may stand.
  const last = new Map<number, { acknowledged: Account; pending?: Account }>()
  const updating = updaters.map(async ({ id, username, token }) => {
    const state: { acknowledged: Account; pending?: Account } = { acknowledged: { id, username, email: `${username}@example.com` } }
    last.set(id, state)
    for (let n = 1; running; n++) {
      state.pending = { id, username: `${username}_v${n}`, email: `${username}.v${n}@example.com` }
      const answer = await request(server.base, 'PUT', `/api/users/${id}`, {
        token,
        body: { username: state.pending.username, email: state.pending.email },
      }).catch(() => undefined)
      if (!answer) return
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ id, username: state.pending.username, email: state.pending.email })
      state.acknowledged = state.pending
      state.pending = undefined
    }
  })

  // At least a second of load, and a few registrations acknowledged (argon2id's pace depends on the machine).
  await Promise.all([Bun.sleep(1000), enoughRegistered])
  server.process.kill('SIGKILL')
  expect(await server.process.exited).not.toBe(0)
  running = false
  await Promise.all([...registering, ...updating])
  const updatesAcknowledged = [...last.values()].filter((state) => state.acknowledged.username.includes('_v')).length
  expect(registered.length).toBeGreaterThan(0)
  expect(updatesAcknowledged).toBe(updaters.length)

  // The file as the crash left it (WAL and all): opening it recovers the log, as the restarted server will.
  const database = new Database(path, { strict: true })
  expect(database.query('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
  expect(database.query('PRAGMA foreign_key_check').all()).toEqual([])
  const row = database.query<Account, [number]>('SELECT id, username, email FROM users WHERE id = ?')
  for (const account of registered) expect(row.get(account.id)).toEqual(account)
  for (const { acknowledged, pending } of last.values()) {
    const stored = row.get(acknowledged.id)
    expect([acknowledged, pending]).toContainEqual(stored!)
  }
  const total = database.query<{ n: number }, []>('SELECT count(*) AS n FROM users').get()!.n
  database.close()

  // Restarted on the same file, it serves what was acknowledged, and the tokens issued before the crash still work.
  const restarted = await startServer(path)
  cleanups.push(() => restarted.process.kill('SIGKILL'))
  const [first] = updaters
  const page = await request(restarted.base, 'GET', '/api/users?per_page=1', { token: first!.token })
  expect(page.status).toBe(200)
  expect(page.body._meta.total_items).toBe(total)
  const self = await request(restarted.base, 'GET', `/api/users/${first!.id}`, { token: first!.token })
  expect(self.status).toBe(200)
  const { acknowledged, pending } = last.get(first!.id)!
  expect([acknowledged, pending]).toContainEqual(self.body && { id: self.body.id, username: self.body.username, email: self.body.email })
  restarted.process.kill('SIGTERM')
  expect(await restarted.process.exited).toBe(0)
}, 90_000)
