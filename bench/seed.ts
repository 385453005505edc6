import { SQL } from 'bun'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config'
import { openDatabase, type Db } from '../src/db/client'
import { migrate } from '../src/db/migrate'
import { transfer } from '../src/db/transfer'
import { embeddedMigrations } from '../src/db/migrations.macro'
import { emailKey, usernameKey } from '../src/services/identity'

export const SEED_USERS = 1000
export const SEED_POSTS = 1000
/** How many users write the seeded posts: the first fifty, so that at 1,000 posts an author has a full page of 20. */
export const SEED_AUTHORS = 50
export const SEED_PASSWORD = 'bench-password'
export const seedUsername = (n: number) => `user${n}`

/** The first migration that builds the user counts: seeded rows go in before it, as on an existing database. */
const COUNTS_MIGRATION = /_user_counts$/

/** Applies the migrations before the user counts with drizzle's own migrator, which records them as src/db/migrate.ts does. */
function migrateUpToCounts(db: Db) {
  const migrations = embeddedMigrations()
  const before = migrations.slice(0, migrations.findIndex((migration) => COUNTS_MIGRATION.test(migration.tag)))
  const { dialect, session } = db as unknown as { dialect: { migrate(...args: unknown[]): void }; session: unknown }
  dialect.migrate(before, session, { migrationsTable: '__drizzle_migrations' })
}

/**
 * A fresh database file with `users` users (`user<n>`, ids 1 to `users`), written straight through SQL: one
 * argon2id hash (production cost) shared by every user, since hashing each would take minutes and measure nothing.
 * The rows go in before the user-count migrations, which then build their counts from them as on an existing
 * database: `countsMigrationMs` is how long that took. Then `posts` posts (seedPosts).
 */
export async function seedDatabase(users = SEED_USERS, posts = SEED_POSTS): Promise<{ path: string; dir: string; countsMigrationMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'madblog-bench-'))
  const path = join(dir, 'madblog.db')
  const hash = await Bun.password.hash(SEED_PASSWORD, { algorithm: 'argon2id', ...loadConfig({}).passwordHashing })
  const database = openDatabase(path, { synchronous: 'NORMAL' })
  migrateUpToCounts(database.db)
  // Every column given: the rows must not depend on defaults a later migration may change.
  const insert = database.sqlite.prepare(
    'INSERT INTO users (id, username, username_key, email, email_key, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const now = Date.now()
  database.sqlite.transaction(() => {
    for (let n = 1; n <= users; n++) {
      const [username, email] = [seedUsername(n), `${seedUsername(n)}@bench.example`]
      insert.run(n, username, usernameKey(username), email, emailKey(email), hash, now, now)
    }
  })()
  insert.finalize()
  database.close()
  // Timed as madblog would run it: its own connection, FULL sync.
  const existing = openDatabase(path)
  const started = performance.now()
  migrate(existing.db)
  const countsMigrationMs = performance.now() - started
  seedPosts(existing, posts, users)
  existing.close()
  return { path, dir, countsMigrationMs }
}

/**
 * `posts` posts (ids 1 to `posts`) spread over the first SEED_AUTHORS users, after every migration: the triggers count
 * them as they would madblog's own inserts. A body of a few paragraphs, as a blog's are.
 */
function seedPosts(database: ReturnType<typeof openDatabase>, posts: number, users: number) {
  const insert = database.sqlite.prepare('INSERT INTO posts (id, title, body, author_id, timestamp, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
  const body = 'A post of a few paragraphs, as a blog has them. '.repeat(30)
  const now = Date.now()
  const authors = Math.min(users, SEED_AUTHORS)
  database.sqlite.transaction(() => {
    for (let n = 1; n <= posts; n++) insert.run(n, `Post number ${n}`, body, ((n - 1) % authors) + 1, now, now)
  })()
  insert.finalize()
}

/**
 * A fresh database on the PostgreSQL server `serverUrl` names, holding the seeded users of `sqlitePath`
 * (copied by `madblog transfer`'s own code); `drop` removes it.
 */
let postgresSeeds = 0

export async function seedPostgres(serverUrl: string, sqlitePath: string): Promise<{ url: string; drop(): Promise<void> }> {
  // One run may seed several at once (the bench's own, then each size of the growth run).
  const name = `madblog_bench_${process.pid}_${++postgresSeeds}`
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
