import type { SQLQueryBindings } from 'bun:sqlite'
import { Placeholder } from 'drizzle-orm'
import type { Db } from './client'

type Query = { toSQL(): { sql: string; params: unknown[] } }

/**
 * A Drizzle-built SELECT as a bare bun:sqlite prepared statement, for the queries every read makes: Drizzle's
 * prepared-query wrapper (placeholder filling, row mapping) costs about as much as the lookup itself, and a
 * page of rows several times more (bench/). `order` names the query's placeholders in the order the returned
 * functions take them; a mismatch throws at start-up. Only for plain integer and text columns: Drizzle's value
 * conversions (timestamps to Date) are skipped.
 */
function rawStatement<Row, Params extends SQLQueryBindings[]>(db: Db, query: Query, order: { [K in keyof Params]: string }) {
  const { sql, params } = query.toSQL()
  const names = params.map((param) => (param instanceof Placeholder ? param.name : undefined))
  if (names.join() !== order.join()) throw new Error(`rowReader: placeholders ${names.join()} are not ${order.join()}: ${sql}`)
  return db.$client.prepare<Row, SQLQueryBindings[]>(sql)
}

/** The one row a query finds, or undefined (see rawStatement). */
export function rowReader<Row, Params extends SQLQueryBindings[]>(db: Db, query: Query, order: { [K in keyof Params]: string }) {
  const statement = rawStatement<Row, Params>(db, query, order)
  return (...values: Params): Row | undefined => statement.get(...values) ?? undefined
}

/** Every row a query finds (see rawStatement). */
export function rowsReader<Row, Params extends SQLQueryBindings[]>(db: Db, query: Query, order: { [K in keyof Params]: string }) {
  const statement = rawStatement<Row, Params>(db, query, order)
  return (...values: Params): Row[] => statement.all(...values)
}
