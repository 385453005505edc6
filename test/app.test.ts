import { expect, test } from 'bun:test'
import { repeatLogged } from '../src/app'
import type { Logger } from '../src/log'

test('a repeated task that fails is logged and runs again, and the process lives on', async () => {
  const logged: string[] = []
  let runs = 0
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message) => void logged.push(message) }
  const twice = new Promise<void>((resolve) => {
    const timer = repeatLogged('pruning', () => {
      if (++runs === 2) {
        clearInterval(timer)
        resolve()
      }
      throw new Error('disk I/O error')
    }, 1, logger)
  })
  await twice
  expect(runs).toBe(2)
  expect(logged[0]).toBe('pruning failed')
})

test('yoga and graphql-js load on the first /graphql request, not at start (they are a large part of idle memory)', async () => {
  // A process of its own: this one has loaded them already for other tests.
  const script = `
    import { testApp } from './test/helpers'
    const loaded = () => Object.keys(require.cache).some((path) => /node_modules\\/(graphql|graphql-yoga)\\//.test(path))
    const { call } = testApp()
    const atStart = loaded()
    const answer = await call('POST', '/graphql', { body: { query: '{ __typename }' } })
    console.log(JSON.stringify({ atStart, afterQuery: loaded(), status: answer.status }))
  `
  const child = Bun.spawn(['bun', '-e', script], { cwd: `${import.meta.dir}/..`, stdout: 'pipe', stderr: 'inherit' })
  const output = await new Response(child.stdout).text()
  expect(await child.exited).toBe(0)
  expect(JSON.parse(output)).toEqual({ atStart: false, afterQuery: true, status: 200 })
})
