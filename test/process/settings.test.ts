import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { until } from '../until'
import { scratchDir, startServer } from './server'

test('a misspelt setting is warned about in one line, and the server starts anyway', async () => {
  const scratch = scratchDir()
  const server = await startServer(join(scratch.dir, 'madblog.db'), { PROT: '8080', LOGLEVEL: 'debug' })
  try {
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200)
    // Written before the start-up line, but on the other pipe: it may be read after it.
    await until(() => server.stderr().trim().split('\n').length === 2)
    const warnings = server.stderr().trim().split('\n')
    expect(warnings).toEqual([
      expect.stringMatching(/ WARN PROT is not a madblog setting and is ignored \(set in the environment or \.env\): did you mean PORT\?$/),
      expect.stringMatching(/ WARN LOGLEVEL is not a madblog setting .*: did you mean LOG_LEVEL\?$/),
    ])
  } finally {
    server.process.kill('SIGTERM')
    await server.process.exited
    scratch.remove()
  }
}, 30_000)
