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
