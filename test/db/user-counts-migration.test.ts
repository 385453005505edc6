import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { authorPostCountsAndTheirScans, countsAndTheirScans } from './counts'

const DRIZZLE = join(import.meta.dir, '../../drizzle')
const journal = JSON.parse(readFileSync(join(DRIZZLE, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] }
// The user-count migrations and every one after them, undone newest first to reach the schema from before.
const COUNTS = journal.entries.slice(journal.entries.findIndex(({ tag }) => /_user_counts$/.test(tag)))
const AUTHOR_COUNTS = journal.entries.slice(journal.entries.findIndex(({ tag }) => /_author_post_counts_triggers$/.test(tag)))

/** Runs a migration's hand-written down file and forgets it was applied, as if the database predated it. */
function undo(sqlite: ReturnType<typeof openDatabase>['sqlite'], { tag, when }: { tag: string; when: number }) {
  sqlite.transaction(() => {
    for (const statement of readFileSync(join(DRIZZLE, `${tag}.down.sql`), 'utf8').split('--> statement-breakpoint')) sqlite.run(statement)
    sqlite.run('DELETE FROM __drizzle_migrations WHERE created_at = ?', [when])
  })()
}

/** A fresh database as it stood before `migrations`, every one of them undone newest first. */
function before(migrations: typeof COUNTS) {
  const database = openDatabase(':memory:')
  migrate(database.db)
  for (const migration of migrations.toReversed()) undo(database.sqlite, migration)
  return database
}

// Rows written before a migration: gaps, deletions and ids past every level's first bucket.
const IDS = [1, 2, 3, 1023, 1024, 1025, 65_535, 65_536, 4_194_303, 4_194_304, 4_194_305, 9_000_000]
const DELETED = '2, 1024, 4194304'

describe('the user counts migration', () => {
  test('builds the counts from the users already there, and its down migration removes them', () => {
    const database = before(COUNTS)
    const { sqlite } = database
    expect(sqlite.query("SELECT name FROM sqlite_master WHERE name LIKE '%count%'").all()).toEqual([])
    const insert = sqlite.prepare('INSERT INTO users (id, username, email, password_hash) VALUES (?, ?, ?, ?)')
    for (const id of IDS) insert.run(id, `u${id}`, `u${id}@example.com`, 'x')
    sqlite.run(`DELETE FROM users WHERE id IN (${DELETED})`)

    expect(migrate(database.db).applied).toEqual(COUNTS.map(({ tag }) => tag))
    const { kept, scanned } = countsAndTheirScans(sqlite)
    expect(kept).toEqual(scanned)
    expect(kept.total).toBe(9)
    database.close()
  })
})

describe('the author post counts migration', () => {
  test("builds each author's counts from the posts already there, and its down migration removes them", () => {
    const database = before(AUTHOR_COUNTS)
    const { sqlite } = database
    for (const id of [1, 2]) sqlite.run(`INSERT INTO users (id, username, email, password_hash) VALUES (${id}, 'u${id}', 'u${id}@example.com', 'x')`)
    const insert = sqlite.prepare('INSERT INTO posts (id, title, body, author_id) VALUES (?, ?, ?, ?)')
    for (const id of IDS) insert.run(id, `t${id}`, 'b', (id % 2) + 1)
    sqlite.run(`DELETE FROM posts WHERE id IN (${DELETED})`)
    expect(sqlite.query('SELECT count(*) AS n FROM author_post_counts_by_1k_ids').get()).toEqual({ n: 0 })

    expect(migrate(database.db).applied).toEqual(AUTHOR_COUNTS.map(({ tag }) => tag))
    const { kept, scanned } = authorPostCountsAndTheirScans(sqlite)
    expect(kept).toEqual(scanned)
    expect(kept[0]).toEqual([
      { author_id: 1, bucket: 0, posts: 1 },
      { author_id: 1, bucket: 2, posts: 1 },
      { author_id: 2, bucket: 0, posts: 6 },
      { author_id: 2, bucket: 1, posts: 1 },
    ])
    database.close()
  })
})
