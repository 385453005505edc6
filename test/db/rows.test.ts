import { describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { openMigratedDatabase } from '../../src/app'
import { users } from '../../src/db/schema'
import { rowReader } from '../../src/db/rows'
import { testConfig } from '../helpers'

describe('rowReader', () => {
  const { db, sqlite } = openMigratedDatabase(testConfig())
  sqlite.run("INSERT INTO users (username, email, password_hash) VALUES ('ann', 'ann@example.com', 'x')")
  const query = db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(eq(users.username, sql.placeholder('name')))

  test('reads the row the Drizzle query names, or undefined', () => {
    const byName = rowReader<{ id: number; username: string }, [string]>(db, query, ['name'])
    expect(byName('ann')).toEqual({ id: 1, username: 'ann' })
    expect(byName('bob')).toBeUndefined()
  })

  test('refuses a parameter order that is not the query’s', () => {
    expect(() => rowReader<unknown, [string]>(db, query, ['username'])).toThrow(/placeholders name are not username/)
  })
})
