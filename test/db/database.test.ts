import { describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseOpenError, openDatabase } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'

const pragma = (database: ReturnType<typeof openDatabase>, name: string) =>
  Object.values(database.sqlite.query(`PRAGMA ${name}`).get() as object)[0]

describe('database', () => {
  test('a file database is created with its folder, in WAL mode with foreign keys, FULL sync and a busy timeout', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'madblog-')), 'nested', 'madblog.db')
    const database = openDatabase(path)
    expect(pragma(database, 'journal_mode')).toBe('wal')
    expect(pragma(database, 'foreign_keys')).toBe(1)
    expect(pragma(database, 'synchronous')).toBe(2)
    expect(pragma(database, 'busy_timeout')).toBe(5000)
    database.close()
  })

  test('SQLITE_SYNCHRONOUS=NORMAL reaches the connection', () => {
    const database = openDatabase(':memory:', { synchronous: 'NORMAL' })
    expect(pragma(database, 'synchronous')).toBe(1)
    database.close()
  })

  test('migrations run once and report what ran', () => {
    const database = openDatabase(':memory:')
    expect(migrate(database.db)).toEqual({
      applied: [
        '0000_init',
        '0001_identity_keys',
        '0002_user_counts',
        '0003_user_counts_triggers',
        '0004_profiles_and_posts',
        '0005_posts_triggers',
        '0006_posts_id_index',
        '0007_author_post_counts',
        '0008_author_post_counts_triggers',
      ],
      collisions: [],
    })
    expect(migrate(database.db)).toEqual({ applied: [], collisions: [] })
    const tables = database.sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()
    expect(tables.map((row) => (row as { name: string }).name)).toEqual(
      expect.arrayContaining(['tokens', 'users', '__drizzle_migrations']),
    )
  })

  test('deleting a user deletes their tokens', () => {
    const database = openDatabase(':memory:')
    migrate(database.db)
    database.sqlite.run("INSERT INTO users (username, email, password_hash) VALUES ('a', 'a@b.cc', 'x')")
    database.sqlite.run("INSERT INTO tokens (user_id, token_hash, expires_at) VALUES (1, 'h', 0)")
    database.sqlite.run('DELETE FROM users')
    expect(database.sqlite.query('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 0 })
  })

  test('a path that cannot be opened is one clear error', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'madblog-')), 'plain-file')
    writeFileSync(file, 'not a folder')
    expect(() => openDatabase(join(file, 'madblog.db'))).toThrow(DatabaseOpenError)
    expect(() => openDatabase(join(file, 'madblog.db'))).toThrow(
      /^cannot open database ".*plain-file\/madblog.db": a file stands where its folder ".*plain-file" should be$/,
    )
  })
})
