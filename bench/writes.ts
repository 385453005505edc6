/**
 * What registering, renaming and deleting a user cost at this database's size with the count triggers and
 * without them (today's schema), in rounds that alternate the two, argon2 excluded. Each write is a real request
 * through madblog's app (`app.handle`, as the tests call it: routing, validation, auth, the service, the commit)
 * with a constant standing in for the hash; only the socket is left out. CPU is this process's own (user + system).
 * Prints JSON: median CPU µs per write of each kind on each side.
 *
 * Usage: bun bench/writes.ts <database file> <writes per round> <rounds>
 */
import { createApp } from '../src/app'
import { loadConfig } from '../src/config'
import { openDatabase } from '../src/db/client'
import type { PasswordHasher } from '../src/services/passwords'
import { median } from './wrk'

const [path, perRoundText, roundsText] = process.argv.slice(2)
if (!path || !perRoundText || !roundsText) throw new Error('usage: bun bench/writes.ts <database file> <writes per round> <rounds>')
const PER_ROUND = Number(perRoundText)
const ROUNDS = Number(roundsText)

const config = loadConfig({ DATABASE_URL: path, LOG_LEVEL: 'error', REGISTER_MAX_PER_HOUR: '0' })
const database = openDatabase(path)
const { sqlite } = database
const hasher: PasswordHasher = { hash: async (password) => `plain:${password}`, verify: async (password, stored) => stored === `plain:${password}` }
const app = createApp(config, database, { hasher })
const triggers = sqlite.query<{ name: string; sql: string }, []>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
if (triggers.length === 0) throw new Error(`${path} has no triggers to compare with`)

async function call(method: string, route: string, headers: Record<string, string>, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body)
  const json: Record<string, string> = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }
  const response = await app.handle(new Request(`http://localhost${route}`, { method, headers: { ...headers, ...json }, body: text }))
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${await response.text()}`)
  return response.status === 204 ? undefined : ((await response.json()) as Record<string, unknown>)
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** Runs `write` for each of `items` and returns its CPU µs per write. */
async function timed<T>(items: T[], write: (item: T) => Promise<unknown>) {
  const started = cpuMicros()
  for (const item of items) await write(item)
  return (cpuMicros() - started) / items.length
}

/** One round: PER_ROUND registrations, a rename of each, and their deletion; logins (a token insert each) untimed. */
async function round(name: string) {
  const names = Array.from({ length: PER_ROUND }, (_, n) => `${name}_${n}`)
  const made: { id: number; name: string; token?: string }[] = []
  const register = await timed(names, async (username) => {
    const user = await call('POST', '/api/users', {}, { username, email: `${username}@bench.example`, password: 'bench-password' })
    made.push({ id: user!.id as number, name: username })
  })
  for (const user of made)
    user.token = (await call('POST', '/api/tokens', { authorization: `Basic ${btoa(`${user.name}:bench-password`)}` }))!.token as string
  const bearer = (user: (typeof made)[number]) => ({ authorization: `Bearer ${user.token}` })
  const rename = await timed(made, (user) => call('PUT', `/api/users/${user.id}`, bearer(user), { username: `${user.name}_renamed` }))
  const remove = await timed(made, (user) => call('DELETE', `/api/users/${user.id}`, bearer(user)))
  return { register, rename, remove }
}

type Round = Awaited<ReturnType<typeof round>>
const sides = { with_triggers: [] as Round[], without_triggers: [] as Round[] }
// Each round deletes what it made, so the counts end where they began even with the triggers gone.
async function withoutTriggers(n: number) {
  for (const { name } of triggers) sqlite.run(`DROP TRIGGER ${name}`)
  sides.without_triggers.push(await round(`without_${n}`))
  for (const trigger of triggers) sqlite.run(trigger.sql)
}
await round('warm_up')
// Which side goes first alternates too: a WAL checkpoint lands on whichever round crosses its threshold.
for (let n = 0; n < ROUNDS; n++) {
  if (n % 2) await withoutTriggers(n)
  sides.with_triggers.push(await round(`with_${n}`))
  if (n % 2 === 0) await withoutTriggers(n)
}
database.close()

const kinds = ['register', 'rename', 'remove'] as const
const medians = (rounds: Round[]) => Object.fromEntries(kinds.map((kind) => [kind, median(rounds.map((entry) => entry[kind]))]))
console.log(JSON.stringify({ with_triggers: medians(sides.with_triggers), without_triggers: medians(sides.without_triggers) }))
