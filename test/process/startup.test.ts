import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { CLI, scratchDir, startServer } from './server'

/** `madblog serve` run to its end: it must refuse to start. */
async function refusedStart(env: Record<string, string>) {
  const child = Bun.spawn(['bun', CLI, 'serve'], {
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
})
