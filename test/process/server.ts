import type { Subprocess } from 'bun'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { digestToken } from '../../src/services/tokens'

/** The real CLI, as `bun run start` runs it. */
export const CLI = join(import.meta.dir, '../../src/cli.ts')

/** A scratch folder for one test's database files; `remove()` deletes it. */
export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'madblog-process-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Running {
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  port: number
  base: string
  /** Everything the server wrote to stderr so far: warnings and errors only. */
  stderr(): string
  /** Everything the server wrote to stdout so far: the start-up line and, at LOG_LEVEL=info, one line per request. */
  stdout(): string
  /** The first stdout line, past or to come, that matches `pattern`. */
  line(pattern: RegExp): Promise<RegExpExecArray>
}

const children = new Set<Subprocess>()
// A test run that ends early (a failure, a timeout) must not leave servers behind.
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')))

/** Reads a stream to its end, handing each line to `line`. */
async function eachLine(stream: ReadableStream<Uint8Array>, line: (text: string) => void) {
  const decoder = new TextDecoder()
  let pending = ''
  for (const reader = stream.getReader(); ; ) {
    const chunk = await reader.read()
    if (chunk.done) return
    pending += decoder.decode(chunk.value, { stream: true })
    const lines = pending.split('\n')
    pending = lines.pop()!
    lines.forEach(line)
  }
}

/**
 * The port a just-spawned `serve` (run with PORT=0) listens on, read from its start-up line once it prints it
 * (LOG_LEVEL info or lower), and what it has written to stderr so far. Its output is drained to the end: request
 * lines would otherwise fill the pipe and stall it. A server that exits or stays silent for 30 s is an error.
 */
export async function listening(child: Subprocess<'ignore', 'pipe', 'pipe'>): Promise<Omit<Running, 'process' | 'base'>> {
  children.add(child)
  void child.exited.then(() => children.delete(child))
  let errors = ''
  let output = ''
  const waiters = new Set<(line: string) => void>()
  const line = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => {
      const past = output.split('\n').map((text) => pattern.exec(text)).find(Boolean)
      if (past) return resolve(past)
      const waiter = (text: string) => {
        const match = pattern.exec(text)
        if (match) (waiters.delete(waiter), resolve(match))
      }
      waiters.add(waiter)
    })
  void eachLine(child.stderr, (line) => (errors += `${line}\n`))
  const port = new Promise<number>((resolve) =>
    void eachLine(child.stdout, (line) => {
      output += `${line}\n`
      for (const waiter of waiters) waiter(line)
      const found = / listening on http:\/\/127\.0\.0\.1:(\d+) /.exec(line)?.[1]
      if (found) resolve(Number(found))
    }),
  )
  const found = await Promise.race([port, child.exited.then(() => undefined), Bun.sleep(30_000).then(() => undefined)])
  if (found === undefined) {
    child.kill('SIGKILL')
    throw new Error(`madblog did not start listening (exit ${child.exitCode}): ${errors}`)
  }
  return { port: found, stderr: () => errors, stdout: () => output, line }
}

/**
 * `bun src/cli.ts serve` with its database at `databasePath`, once it is listening. PORT=0 lets the kernel pick
 * a free port, read back from the server's own start-up line: every helper and CI run these tests, often at the
 * same time, and a fixed port would let one run talk to another's server. The brute-force limits that would
 * turn a burst of registrations from one address into 429s are lifted.
 */
export async function startServer(databasePath: string, env: Record<string, string> = {}): Promise<Running> {
  const child = Bun.spawn(['bun', CLI, 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databasePath,
      LOG_LEVEL: 'info', // for the start-up line and the request lines
      REGISTER_MAX_PER_HOUR: '0',
      LOGIN_MAX_FAILURES: '100000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
      ...env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const started = await listening(child)
  return { process: child, base: `http://127.0.0.1:${started.port}`, ...started }
}

export interface Json {
  status: number
  body: any
}

/** One JSON request on its own connection; a network failure rejects. */
export async function request(base: string, method: string, path: string, options: { body?: unknown; token?: string; basic?: [string, string] } = {}): Promise<Json> {
  const headers: Record<string, string> = {}
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.basic) headers.authorization = `Basic ${Buffer.from(options.basic.join(':')).toString('base64')}`
  const response = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    keepalive: false,
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

/** Registers `username` (password "secret") and logs in. */
export async function signUp(base: string, username: string) {
  const created = await request(base, 'POST', '/api/users', { body: { username, email: `${username}@example.com`, password: 'secret' } })
  if (created.status !== 201) throw new Error(`sign-up of ${username}: ${created.status} ${JSON.stringify(created.body)}`)
  const login = await request(base, 'POST', '/api/tokens', { basic: [username, 'secret'] })
  if (login.status !== 200) throw new Error(`login of ${username}: ${login.status} ${JSON.stringify(login.body)}`)
  return { id: created.body.id as number, username, token: login.body.token as string }
}

export interface Seeded {
  id: number
  username: string
  token: string
}

/**
 * Users (password "secret", hashed once at low cost) and a live token each, written straight into a fresh
 * database file: signing them up through the server would cost two production-cost argon2id runs apiece.
 */
export async function seedAccounts(path: string, usernames: string[]): Promise<Seeded[]> {
  const hash = await Bun.password.hash('secret', { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 })
  const database = openDatabase(path)
  try {
    migrate(database.db)
    const user = database.sqlite.prepare<{ id: number }, [string, string, string]>(
      'INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?) RETURNING id',
    )
    const token = database.sqlite.prepare('INSERT INTO tokens (user_id, token_hash, expires_at) VALUES (?, ?, ?)')
    try {
      return database.sqlite.transaction(() =>
        usernames.map((username) => {
          const { id } = user.get(username, `${username}@example.com`, hash)!
          const value = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
          token.run(id, digestToken(value), Date.now() + 3_600_000)
          return { id, username, token: value }
        }),
      )()
    } finally {
      // A statement left to the garbage collector keeps the connection open after close() (a "zombie"), and
      // the server would then not be the last connection to close: its -wal and -shm files would stay behind.
      user.finalize()
      token.finalize()
    }
  } finally {
    database.close()
  }
}
