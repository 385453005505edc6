import type { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import type { RateLimitSettings } from '../../config'
import type { Store } from '../store'
import * as schema from './schema'
import { postgresStore } from './store'

// Thrown to roll a dry run back once every row has been tried.
const ROLL_BACK = Symbol('roll back')

/**
 * `madblog import-flask` on PostgreSQL: `work` gets a store bound to one transaction, in which `eachRow` runs a
 * row in a savepoint (a refused insert would otherwise abort every row after it) and rolls it back if it returns
 * false. The users id sequence is then moved past the ids kept, so that registrations do not collide with them.
 * With `keep` false (a dry run), everything is rolled back.
 */
export async function importIntoPostgres(
  sql: SQL,
  rateLimits: RateLimitSettings,
  keep: boolean,
  work: (store: Store, eachRow: (row: () => Promise<boolean>) => Promise<void>) => Promise<void>,
): Promise<void> {
  try {
    await sql.begin(async (tx) => {
      const store = postgresStore(drizzle({ client: tx as unknown as SQL, schema }), tx as unknown as SQL, rateLimits)
      await work(store, async (row) => {
        await tx`SAVEPOINT import_row`
        if (await row()) await tx`RELEASE SAVEPOINT import_row`
        else await tx`ROLLBACK TO SAVEPOINT import_row`
      })
      await tx`SELECT setval('users_id_seq', max(id)) FROM users
        HAVING max(id) >= (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM users_id_seq)`
      if (!keep) throw ROLL_BACK
    })
  } catch (error) {
    if (error !== ROLL_BACK) throw error
  }
}
