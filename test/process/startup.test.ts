import { describe, expect, test } from 'bun:test'
import { chmodSync, chownSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, scratchDir, seedAccounts, startServer } from './server'

// Root writes any file whatever its mode: as root (CI), the server runs as nobody, as an operator's would.
const UNPRIVILEGED = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []

/** `madblog serve` run to its end: it must refuse to start. */
async function refusedStart(env: Record<string, string>, prefix: string[] = []) {
  const child = Bun.spawn([...prefix, 'bun', CLI, 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()])
  clearTimeout(timer)
  return { code, stdout, stderr }
}

describe('start-up refusals', () => {
  test('a second madblog on a taken port stops with one line naming it, exit 1: the port is not shared', async () => {
    const scratch = scratchDir()
    const first = await startServer(join(scratch.dir, 'first.db'))
    try {
      const second = await refusedStart({ PORT: String(first.port), DATABASE_URL: join(scratch.dir, 'second.db') })
      expect(second.stderr).toBe(`madblog: port ${first.port} on 127.0.0.1 is already in use\n`)
      expect(second.code).toBe(1)
      expect(second.stdout).not.toContain('listening')
    } finally {
      first.process.kill('SIGTERM')
      await first.process.exited
      scratch.remove()
    }
  })

  test('a database file it cannot write (mode 444) stops start-up with one line, exit 1, not a 500 per login', async () => {
    const scratch = scratchDir()
    const path = join(scratch.dir, 'madblog.db')
    try {
      await seedAccounts(path, ['ada'])
      chmodSync(scratch.dir, 0o755)
      if (UNPRIVILEGED.length) chownSync(scratch.dir, 65534, 65534)
      if (UNPRIVILEGED.length) chownSync(path, 65534, 65534)
      chmodSync(path, 0o444)
      const result = await refusedStart({ PORT: '0', DATABASE_URL: path }, UNPRIVILEGED)
      expect(result.stderr).toBe(`madblog: cannot open database "${path}": it cannot be written (attempt to write a readonly database)\n`)
      expect(result.code).toBe(1)
    } finally {
      scratch.remove()
    }
  })
})
