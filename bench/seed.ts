import { SQL } from 'bun'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config'
import { openDatabase } from '../src/db/client'
import { migrate } from '../src/db/migrate'
import { transfer } from '../src/db/transfer'

export const SEED_USERS = 1000
export const SEED_PASSWORD = 'bench-password'
export const seedUsername = (n: number) => `user${n}`

/**
 * A fresh database file with `SEED_USERS` users, written straight through SQL: one argon2id hash (production
 * cost) shared by every user, since hashing a thousand of them would take minutes and measure nothing.
 */
export async function seedDatabase(): Promise<{ path: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'madblog-bench-'))
  const path = join(dir, 'madblog.db')
  const hash = await Bun.password.hash(SEED_PASSWORD, { algorithm: 'argon2id', ...loadConfig({}).passwordHashing })
  const database = openDatabase(path)
  migrate(database.db)
  const insert = database.sqlite.prepare('INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)')
  database.sqlite.transaction(() => {
    for (let n = 1; n <= SEED_USERS; n++) insert.run(seedUsername(n), `${seedUsername(n)}@bench.example`, hash)
  })()
  database.close()
  return { path, dir }
}

/**
 * A fresh database on the PostgreSQL server `serverUrl` names, holding the seeded users of `sqlitePath`
 * (copied by `madblog transfer`'s own code); `drop` removes it.
 */
export async function seedPostgres(serverUrl: string, sqlitePath: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `madblog_bench_${process.pid}`
  const admin = new SQL({ url: serverUrl, max: 1 })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  await transfer(sqlitePath, url.toString())
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.close()
    },
  }
}
