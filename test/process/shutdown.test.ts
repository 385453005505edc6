import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { request, scratchDir, startServer } from './server'

/** Whether a brand-new TCP connection to the port is refused (nothing listens any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(false)))
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

/** The -wal file is gone, or empty: everything was folded back into the database file. */
const walFolded = (path: string) => !existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

describe('graceful stop of the real server', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: in-flight registrations finish, new connections are refused, the database is closed, exit 0',
    async (signal) => {
      const port = signal === 'SIGTERM' ? 5410 : 5411
      const scratch = scratchDir()
      cleanups.push(scratch.remove)
      const path = join(scratch.dir, 'madblog.db')
      const server = await startServer(port, path)
      cleanups.push(() => server.process.kill('SIGKILL'))

      // Registrations hash with argon2id at production cost: each is in flight for a good fraction of a second.
      const names = ['ann', 'bob', 'cid']
      let finished = 0
      const inFlight = names.map((username) =>
        request(server.base, 'POST', '/api/users', { body: { username, email: `${username}@example.com`, password: 'secret' } }).finally(
          () => finished++,
        ),
      )
      await Bun.sleep(100) // the requests have reached the server and are hashing
      const signalled = performance.now()
      server.process.kill(signal)

      let refusedWhileInFlight = false
      while (finished < names.length && !refusedWhileInFlight) {
        refusedWhileInFlight = (await refused(port)) && finished < names.length
        await Bun.sleep(5)
      }
      expect(refusedWhileInFlight).toBe(true)

      const answers = await Promise.all(inFlight)
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201])
      expect(await server.process.exited).toBe(0)
      expect(performance.now() - signalled).toBeLessThan(5000)
      expect(server.stderr()).toBe('')

      expect(walFolded(path)).toBe(true)
      const database = new Database(path, { readonly: true })
      expect(database.query('SELECT username FROM users ORDER BY username').all()).toEqual(names.map((username) => ({ username })))
      database.close()
    },
    20_000,
  )

  test('a client stalled mid-request is cut off after SHUTDOWN_GRACE_SECONDS, and the database still closes', async () => {
    const port = 5412
    const scratch = scratchDir()
    cleanups.push(scratch.remove)
    const path = join(scratch.dir, 'madblog.db')
    const server = await startServer(port, path, { SHUTDOWN_GRACE_SECONDS: '1' })
    cleanups.push(() => server.process.kill('SIGKILL'))
    await request(server.base, 'POST', '/api/users', { body: { username: 'ann', email: 'ann@example.com', password: 'secret' } })

    // Half a body, then silence: without the deadline the stop would wait for it forever.
    const socket = connect(port, '127.0.0.1')
    cleanups.push(() => socket.destroy())
    await new Promise((resolve) => socket.once('connect', resolve))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.write('POST /api/users HTTP/1.1\r\nHost: madblog\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user')
    await Bun.sleep(100)

    const signalled = performance.now()
    server.process.kill('SIGTERM')
    const exit = await Promise.race([server.process.exited, Bun.sleep(6000).then(() => 'still running')])
    expect(exit).toBe(0)
    const elapsed = performance.now() - signalled
    expect(elapsed).toBeGreaterThan(900)
    expect(elapsed).toBeLessThan(3000)
    await closed
    expect(walFolded(path)).toBe(true)
  }, 20_000)
})
