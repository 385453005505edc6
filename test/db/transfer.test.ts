import { afterEach, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { join } from 'node:path'
import { openMigratedDatabase } from '../../src/app'
import { TransferError, describeProgress, transfer } from '../../src/db/transfer'
import { openMigratedPostgres } from '../../src/db/pg/open'
import { appHarness, testConfig } from '../helpers'
import { TEST_POSTGRES, freshPostgres, postgresConfig } from '../postgres'
import { scratchDir } from '../process/server'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A SQLite file with `extra` users besides ada (who holds a live token), as a running madblog would leave it. */
async function seededSqlite(extra = 0) {
  const scratch = scratchDir()
  cleanups.push(scratch.remove)
  const path = join(scratch.dir, 'madblog.db')
  const config = testConfig({ databasePath: path })
  const database = openMigratedDatabase(config)
  const harness = appHarness(config, database)
  const ada = await harness.signUp('ada')
  // A profile and a post with a view, so every table and column madblog keeps has something to carry.
  await harness.call('PUT', `/api/users/${ada.id}`, { token: ada.token, body: { name: 'Ada L.', about_me: 'Counts.' } })
  await harness.call('POST', '/api/posts', { token: ada.token, body: { title: 'Notes', body: 'On the engine.' } })
  database.sqlite.run('UPDATE posts SET views = 7')
  database.sqlite.run(
    `WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < ${extra})
     INSERT INTO users (username, email, password_hash, username_key, email_key) SELECT 'u' || v, 'u' || v || '@example.com', 'x', 'u' || v, 'u' || v || '@example.com' FROM n WHERE ${extra} > 0`,
  )
  database.close()
  return { path, ada }
}

async function emptyPostgres() {
  const database = await freshPostgres()
  cleanups.push(database.drop)
  return database.url
}

describe.skipIf(!TEST_POSTGRES)('madblog transfer', () => {
  test('SQLite into an empty PostgreSQL: ids, hashes and expiry kept, sequences moved on, counts checked', async () => {
    const { path, ada } = await seededSqlite(1500)
    const url = await emptyPostgres()
    const seen: string[] = []
    expect(await transfer(path, url, (state) => seen.push(describeProgress(state)))).toEqual({ users: 1501, tokens: 1, posts: 1 })
    expect(seen.at(-1)).toStartWith('1,503 of 1,503 rows, ')
    const config = postgresConfig(url)
    const moved = appHarness(config, await openMigratedPostgres(config))
    cleanups.push(() => moved.database.close())
    const account = (await moved.call('GET', `/api/users/${ada.id}`, { token: ada.token })).body
    expect([account.email, account.name, account.about_me, account.posts_count]).toEqual(['ada@example.com', 'Ada L.', 'Counts.', 1])
    const posts = (await moved.call('GET', '/api/posts')).body
    expect([posts._meta.total_items, posts.items[0].title, posts.items[0].views >= 7]).toEqual([1, 'Notes', true])
    expect((await moved.call('POST', '/api/tokens', { basic: ['ADA', 'secret'] })).status).toBe(200)
    expect((await moved.call('POST', '/api/users', { body: { username: 'new', email: 'new@example.com', password: 'p' } })).body.id).toBe(1502)
    // The counts were built at the end and the count triggers are on again: what is written next is counted.
    expect((await moved.call('POST', '/api/posts', { token: ada.token, body: { title: 'More', body: 'Notes.' } })).status).toBe(201)
    expect((await moved.call('GET', `/api/users/${ada.id}`, { token: ada.token })).body.posts_count).toBe(2)
    expect((await moved.call('GET', '/api/posts')).body._meta.total_items).toBe(2)
    const sql = new SQL(url)
    cleanups.push(() => sql.close())
    const kept = await sql`SELECT (SELECT sum(users) FROM user_counts_by_1k_ids)::int AS users, (SELECT sum(users) FROM user_counts_by_4m_ids)::int AS widest,
      (SELECT sum(posts) FROM author_post_counts_by_64k_ids WHERE author_id = ${ada.id})::int AS ada`
    expect(kept[0]).toEqual({ users: 1502, widest: 1502, ada: 2 })
  })

  test('refuses a target that holds anything, and leaves it as it was', async () => {
    const { path } = await seededSqlite()
    const url = await emptyPostgres()
    await transfer(path, url)
    const error = await transfer(path, url).catch((e) => e)
    expect(error).toBeInstanceOf(TransferError)
    expect(error.message).toBe('the target already holds 3 rows: transfer only fills an empty database')
  })

  test('interrupted, the target stays empty, and a second run from the start completes', async () => {
    const { path } = await seededSqlite(2500)
    const url = await emptyPostgres()
    const stop = new Error('interrupted')
    expect(await transfer(path, url, () => {
      throw stop
    }).catch((e) => e)).toBe(stop)
    const sql = new SQL({ url, max: 1 })
    cleanups.push(() => sql.close())
    expect(await sql`SELECT CAST(count(*) AS integer) AS n FROM users`).toEqual([{ n: 0 }])
    expect(await transfer(path, url)).toEqual({ users: 2501, tokens: 1, posts: 1 })
  })

  test('and back: PostgreSQL into a new SQLite file, the same rows', async () => {
    const { path, ada } = await seededSqlite(10)
    const url = await emptyPostgres()
    await transfer(path, url)
    const scratch = scratchDir()
    cleanups.push(scratch.remove)
    const back = join(scratch.dir, 'back.db')
    expect(await transfer(url, back)).toEqual({ users: 11, tokens: 1, posts: 1 })
    const config = testConfig({ databasePath: back })
    const database = openMigratedDatabase(config)
    cleanups.push(() => database.close())
    const columns = 'id, username, email, password_hash, username_key, email_key, name, location, about_me, last_seen, created_at, updated_at, posts_count'
    const original = openMigratedDatabase(testConfig({ databasePath: path }))
    cleanups.push(() => original.close())
    expect(database.sqlite.query(`SELECT ${columns} FROM users ORDER BY id`).all()).toEqual(original.sqlite.query(`SELECT ${columns} FROM users ORDER BY id`).all())
    expect(database.sqlite.query('SELECT id, user_id, token_hash, expires_at, created_at FROM tokens').all()).toEqual(
      original.sqlite.query('SELECT id, user_id, token_hash, expires_at, created_at FROM tokens').all(),
    )
    const postColumns = 'id, title, summary, body, author_id, timestamp, updated_at, views'
    expect(database.sqlite.query(`SELECT ${postColumns} FROM posts`).all()).toEqual(original.sqlite.query(`SELECT ${postColumns} FROM posts`).all())
    const harness = appHarness(config, database)
    expect((await harness.call('GET', `/api/users/${ada.id}`, { token: ada.token })).status).toBe(200)
    expect((await harness.call('GET', '/api/posts')).body._meta.total_items).toBe(1)
  })
})
