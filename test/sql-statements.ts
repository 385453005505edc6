import { Database } from 'bun:sqlite'
import { SQL } from 'bun'
import { ON_POSTGRES } from './postgres'

/**
 * Counts the SQL statements the database is sent from now until `stop()`, on either engine: on SQLite each run of
 * a statement prepared from now on (so: of an app built after this call), on PostgreSQL each Bun.sql query that is
 * sent, Drizzle's and the store's alike, whichever connection or transaction sends it (a fragment nested in another
 * query is never sent on its own, so it does not count).
 */
export function countStatements(): { readonly n: number; reset(): void; stop(): void } {
  let n = 0
  const stop = ON_POSTGRES ? countQueries(() => n++) : countPrepared(() => n++)
  return { get n() { return n }, reset: () => void (n = 0), stop }
}

function countPrepared(count: () => void): () => void {
  const prepare = Database.prototype.prepare
  Database.prototype.prepare = function (this: Database, ...args: Parameters<typeof prepare>) {
    const statement = prepare.apply(this, args)
    for (const method of ['get', 'all', 'run', 'values'] as const) {
      const original = statement[method].bind(statement) as (...a: unknown[]) => unknown
      ;(statement as unknown as Record<string, unknown>)[method] = (...a: unknown[]) => (count(), original(...a))
    }
    return statement
  } as typeof prepare
  return () => void (Database.prototype.prepare = prepare)
}

/** A Bun.sql query is sent on its first then, catch, run or execute (each of which starts it, once). */
function countQueries(count: () => void): () => void {
  const probe = new SQL({ url: 'postgres://127.0.0.1:1/none', max: 1 })
  const query = Object.getPrototypeOf(probe`SELECT 1`) as Record<string, (...args: unknown[]) => unknown>
  void probe.close()
  const started = new WeakSet<object>()
  const methods = ['then', 'catch', 'run', 'execute'] as const
  const originals = methods.map((method) => query[method]!)
  methods.forEach((method, i) => {
    const original = originals[i]!
    query[method] = function (this: object, ...args: unknown[]) {
      if (!started.has(this)) started.add(this), count()
      return original.apply(this, args)
    }
  })
  return () => methods.forEach((method, i) => void (query[method] = originals[i]!))
}
