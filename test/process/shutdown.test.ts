import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { request, scratchDir, signUp, startServer } from './server'

/** Whether a brand-new TCP connection to the port is refused (nothing listens any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(false)))
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

/** The WAL was folded back and the connection really closed: SQLite removes -wal and -shm on the last close. */
const closedCleanly = (path: string) => !existsSync(`${path}-wal`) && !existsSync(`${path}-shm`)

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

/** The real server on a new database file; both are removed (the server killed if still up) after the test. */
async function serverOnNewDatabase(env: Record<string, string> = {}) {
  const scratch = scratchDir()
  cleanups.push(scratch.remove)
  const path = join(scratch.dir, 'madblog.db')
  const server = await startServer(path, env)
  cleanups.push(() => server.process.kill('SIGKILL'))
  return { server, path }
}

/** A registration sent by hand, so the test decides when its body is complete; `answer` is the status line. */
async function slowRegistration(port: number, username: string) {
  const body = JSON.stringify({ username, email: `${username}@example.com`, password: 'secret' })
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  let received = ''
  socket.on('data', (chunk) => (received += chunk.toString()))
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  const head = `POST /api/users HTTP/1.1\r\nHost: madblog\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`
  socket.write(head + body.slice(0, 10))
  return {
    finish: () => socket.write(body.slice(10)),
    answer: closed.then(() => received.split('\r\n')[0]),
    destroy: () => socket.destroy(),
  }
}

describe('graceful stop of the real server', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: an in-flight registration finishes, new connections are refused, the database is closed, exit 0',
    async (signal) => {
      // A grace period long enough for a production-cost argon2id hash on the slowest machine.
      const { server, path } = await serverOnNewDatabase({ SHUTDOWN_GRACE_SECONDS: '120' })
      const { port } = server

      // Half a registration is in flight when the signal comes; the rest of its body follows only once new
      // connections are refused, and it is then hashed and stored while the server is stopping.
      const inFlight = await slowRegistration(port, 'ann')
      cleanups.push(inFlight.destroy)
      await Bun.sleep(200)
      server.process.kill(signal)
      const signalled = performance.now()
      let refusedNow = false
      while (!refusedNow && performance.now() - signalled < 10_000) refusedNow = await refused(port)
      expect(refusedNow).toBe(true)
      expect(server.process.exitCode).toBeNull()

      inFlight.finish()
      expect(await inFlight.answer).toBe('HTTP/1.1 201 Created')
      const answered = performance.now()
      expect(await server.process.exited).toBe(0)
      // The exit follows the answer at once: only the checkpoint and close stand between them.
      expect(performance.now() - answered).toBeLessThan(3000)
      expect(server.stderr()).toBe('')
      // A request that finishes while the server stops is logged like any other, before the exit.
      expect(server.stdout()).toMatch(/ INFO POST \/api\/users 201 \d+\.\dms request_id=/)

      expect(closedCleanly(path)).toBe(true)
      const database = new Database(path, { readonly: true })
      expect(database.query('SELECT username, email FROM users').all()).toEqual([{ username: 'ann', email: 'ann@example.com' }])
      database.close()
    },
    90_000,
  )

  test('a signal the moment the server is up still stops it cleanly (the handlers are in place before the port opens)', async () => {
    for (let round = 0; round < 5; round++) {
      const { server, path } = await serverOnNewDatabase()
      server.process.kill('SIGTERM')
      expect(await server.process.exited).toBe(0)
      expect(closedCleanly(path)).toBe(true)
    }
  }, 60_000)

  test('a client stalled mid-request is cut off after SHUTDOWN_GRACE_SECONDS, and the database still closes', async () => {
    const { server, path } = await serverOnNewDatabase({ SHUTDOWN_GRACE_SECONDS: '1' })
    const { port } = server
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
    const exit = await Promise.race([server.process.exited, Bun.sleep(10_000).then(() => 'still running')])
    expect(exit).toBe(0)
    const elapsed = performance.now() - signalled
    expect(elapsed).toBeGreaterThan(900)
    expect(elapsed).toBeLessThan(5000)
    await closed
    expect(closedCleanly(path)).toBe(true)
  }, 60_000)

  test('SIGTERM writes the views and last_seen still in memory before the database closes', async () => {
    const { server, path } = await serverOnNewDatabase()
    const ann = await signUp(server.base, 'ann')
    expect((await request(server.base, 'POST', '/api/posts', { token: ann.token, body: { title: 't', body: 'b' } })).status).toBe(201)
    for (let n = 0; n < 3; n++) expect((await request(server.base, 'GET', '/api/posts/1')).status).toBe(200)
    server.process.kill('SIGTERM') // within the second the batch would wait
    expect(await server.process.exited).toBe(0)
    const database = new Database(path, { readonly: true })
    expect(database.query('SELECT views FROM posts').all()).toEqual([{ views: 3 }])
    database.close()
  }, 60_000)
})
