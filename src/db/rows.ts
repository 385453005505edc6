import type { SQLQueryBindings, Statement } from 'bun:sqlite'
import { Placeholder, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'

type Query = { toSQL(): { sql: string; params: unknown[] } }

/**
 * A column read as its raw stored value under `alias`: the bare statements below read rows by these names, and
 * Drizzle's returning() then gives the same integers (no Date) as they do.
 */
export const rawColumn = <T>(column: SQLiteColumn, alias: string) => sql<T>`${column}`.as(alias)

/** The bare statement behind a Drizzle-built query; a placeholder order that is not the query's throws at start-up. */
function prepare<Row>(db: Db, query: Query, order: readonly string[]): Statement<Row, SQLQueryBindings[]> {
  const { sql, params } = query.toSQL()
  const names = params.map((param) => (param instanceof Placeholder ? param.name : undefined))
  if (names.join() !== order.join()) throw new Error(`rowReader: placeholders ${names.join()} are not ${order.join()}: ${sql}`)
  return db.$client.prepare<Row, SQLQueryBindings[]>(sql)
}

/**
 * A Drizzle-built SELECT run as a bare bun:sqlite prepared statement, for the lookups every request makes:
 * Drizzle's prepared-query wrapper (placeholder filling, row mapping) costs about as much as the lookup itself.
 * `order` names the query's placeholders in the order the returned function takes them; a mismatch throws at
 * start-up. Only for plain integer and text columns: Drizzle's value conversions (timestamps to Date) are skipped.
 */
export function rowReader<Row, Params extends SQLQueryBindings[]>(
  db: Db,
  query: Query,
  order: { [K in keyof Params]: string },
) {
  const statement = prepare<Row>(db, query, order)
  return (...values: Params): Row | undefined => statement.get(...values) ?? undefined
}

/** rowReader for every row the query returns. */
export function rowsReader<Row, Params extends SQLQueryBindings[]>(db: Db, query: Query, order: { [K in keyof Params]: string }) {
  const statement = prepare<Row>(db, query, order)
  return (...values: Params): Row[] => statement.all(...values)
}
