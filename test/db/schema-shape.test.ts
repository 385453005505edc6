import { expect, test } from 'bun:test'
import { getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core'
import * as pg from '../../src/db/pg/schema'
import * as sqlite from '../../src/db/schema'

/** What both engines must agree on: table, column and index names, nullability, and which indexes are unique. */
type TableConfig = { name: string; columns: { name: string; notNull: boolean; isUnique: boolean }[]; indexes: { config: { name?: string; unique?: boolean } }[] }

function shape(config: TableConfig) {
  return {
    name: config.name,
    columns: config.columns.map((column) => `${column.name}${column.notNull ? '' : '?'}${column.isUnique ? ' unique' : ''}`).sort(),
    indexes: config.indexes.map((index) => `${index.config.name}${index.config.unique ? ' unique' : ''}`).sort(),
  }
}

test('the SQLite and PostgreSQL schemas have the same tables, columns and indexes', () => {
  const shared = ['users', 'tokens', 'posts', 'usersBy4mIds', 'usersBy64kIds', 'usersBy1kIds', 'postsBy4mIds', 'postsBy64kIds', 'postsBy1kIds', 'authorPostsBy4mIds', 'authorPostsBy64kIds', 'authorPostsBy1kIds'] as const
  // posts_id_idx is SQLite's alone: a rowid table has no index of its ids apart from the rows (src/db/schema.ts),
  // where PostgreSQL's primary key is one.
  const sqliteOnly = (index: string) => index !== 'posts_id_idx'
  for (const name of shared) {
    const sqliteShape = shape(sqliteTableConfig(sqlite[name]))
    expect(shape(pgTableConfig(pg[name]))).toEqual({ ...sqliteShape, indexes: sqliteShape.indexes.filter(sqliteOnly) })
  }
  // The only table of one engine alone: PostgreSQL keeps the limits every replica shares (in memory on SQLite).
  expect(Object.keys(pg).filter((name) => !(name in sqlite))).toEqual(['attempts'])
  expect(Object.keys(sqlite).filter((name) => !(name in pg))).toEqual(['AUTHOR_POST_BUCKET_LEVELS', 'POST_BUCKET_LEVELS', 'USER_BUCKET_LEVELS'])
})
