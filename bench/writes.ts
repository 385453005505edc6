/**
 * What registering, renaming and deleting a user cost the service at this database's size with the count triggers
 * and without them (today's cost), in rounds that alternate the two, argon2 excluded: a constant stands in for the
 * hash. CPU is this process's own (user + system), so the HTTP layer, the same either way, is left out too.
 * Prints JSON: median CPU µs per write of each kind on each side.
 *
 * Usage: bun bench/writes.ts <database file> <writes per round> <rounds>
 */
import { openDatabase } from '../src/db/client'
import { createUserService, type User } from '../src/services/users'
import { median } from './wrk'

const [path, perRoundText, roundsText] = process.argv.slice(2)
if (!path || !perRoundText || !roundsText) throw new Error('usage: bun bench/writes.ts <database file> <writes per round> <rounds>')
const PER_ROUND = Number(perRoundText)
const ROUNDS = Number(roundsText)

const database = openDatabase(path)
const { sqlite } = database
const users = createUserService(database.db, { hash: async () => 'not-a-hash', verify: async () => false })
const triggers = sqlite.query<{ name: string; sql: string }, []>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
if (triggers.length === 0) throw new Error(`${path} has no triggers to compare with`)

const cpuMicros = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** One round: PER_ROUND registrations, then a rename of each, then their deletion; CPU µs per write of each kind. */
async function round(name: string) {
  const made: User[] = []
  let started = cpuMicros()
  for (let n = 0; n < PER_ROUND; n++)
    made.push(await users.register({ username: `${name}_${n}`, email: `${name}_${n}@bench.example`, password: 'bench-password' }))
  const register = (cpuMicros() - started) / PER_ROUND
  started = cpuMicros()
  for (const user of made) await users.update(user, user.id, { username: `${user.username}_renamed` })
  const rename = (cpuMicros() - started) / PER_ROUND
  started = cpuMicros()
  for (const user of made) users.remove(user, user.id)
  return { register, rename, remove: (cpuMicros() - started) / PER_ROUND }
}

const sides = { with_triggers: [] as Awaited<ReturnType<typeof round>>[], without_triggers: [] as Awaited<ReturnType<typeof round>>[] }
await round('warm_up')
// Each round deletes what it made, so the counts end where they began even with the triggers gone.
async function withoutTriggers(n: number) {
  for (const { name } of triggers) sqlite.run(`DROP TRIGGER ${name}`)
  sides.without_triggers.push(await round(`without_${n}`))
  for (const trigger of triggers) sqlite.run(trigger.sql)
}
// Which side goes first alternates too: a WAL checkpoint lands on whichever round crosses its threshold.
for (let n = 0; n < ROUNDS; n++) {
  if (n % 2) await withoutTriggers(n)
  sides.with_triggers.push(await round(`with_${n}`))
  if (n % 2 === 0) await withoutTriggers(n)
}
database.close()

const kinds = ['register', 'rename', 'remove'] as const
const medians = (rounds: typeof sides.with_triggers) =>
  Object.fromEntries(kinds.map((kind) => [kind, median(rounds.map((entry) => entry[kind]))])) as Record<(typeof kinds)[number], number>
console.log(JSON.stringify({ with_triggers: medians(sides.with_triggers), without_triggers: medians(sides.without_triggers) }))
