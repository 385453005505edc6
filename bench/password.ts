/**
 * Bun.password alone, as a baseline for the hash-bound endpoints: `concurrency` loops of argon2id verify (a
 * login) or hash (a registration) at madblog's production cost, for `seconds`. Prints {"ops_per_s": n}.
 *
 * Usage: bun bench/password.ts <verify|hash> <concurrency> <seconds>
 */
import { loadConfig } from '../src/config'
import { SEED_PASSWORD } from './seed'

const [mode, concurrencyText, secondsText] = process.argv.slice(2)
if ((mode !== 'verify' && mode !== 'hash') || !concurrencyText || !secondsText)
  throw new Error('usage: bun bench/password.ts <verify|hash> <concurrency> <seconds>')

const options = { algorithm: 'argon2id', ...loadConfig({}).passwordHashing } as const
const stored = await Bun.password.hash(SEED_PASSWORD, options)
const work = () => (mode === 'verify' ? Bun.password.verify(SEED_PASSWORD, stored) : Bun.password.hash(SEED_PASSWORD, options))

const started = performance.now()
const deadline = started + Number(secondsText) * 1000
let done = 0
await Promise.all(
  Array.from({ length: Number(concurrencyText) }, async () => {
    while (performance.now() < deadline) {
      await work()
      done++
    }
  }),
)
console.log(JSON.stringify({ ops_per_s: done / ((performance.now() - started) / 1000) }))
