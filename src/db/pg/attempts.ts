import type { SQL } from 'bun'
import type { AttemptLedger, LimitName, LimitWindows } from '../../services/rate-limits'
import { validText } from './text'

/**
 * The login and registration limits in PostgreSQL, shared by every replica. One statement per attempt upserts a
 * row per key: the upsert locks the row, so concurrent attempts on one key (from any replica) are counted one
 * after the other and never past the limit. Each row keeps the attempt times still inside its window.
 *
 * Attempts in one millisecond have equal times, so nothing may tell them apart by value: the statement itself
 * says which rows took this attempt (a full row is not updated, so not returned), and taking it back removes one
 * entry of its time, from those rows only. (Telling them apart by a random fraction of a millisecond let a
 * refused attempt remove, or pass for, another's: 11 failed logins got through a limit of 10.)
 */
export function postgresLedger(sql: SQL, windows: LimitWindows): AttemptLedger {
  // PostgreSQL text holds no NUL and no lone surrogate: such a key (never a real account's) is stored made valid.
  const rowKey = (name: LimitName, key: string) => `${name}:${validText(key)}`
  const longestWindowMs = Math.max(...Object.values(windows).map((window) => window.windowMs))

  return {
    async count(keys, at) {
      // Rows are locked in key order by every statement here, so two attempts never wait on each other in a cycle.
      keys = [...keys].sort((a, b) => (rowKey(...a) < rowKey(...b) ? -1 : 1))
      const names = keys.map(([name, key]) => rowKey(name, key))
      const limits = keys.map(([name]) => windows[name].limit)
      const since = keys.map(([name]) => at - windows[name].windowMs)
      const counted: { key: string }[] = await sql`
        WITH attempt AS (SELECT * FROM unnest(${sql.array(names)}::text[], ${sql.array(limits)}::int[], ${sql.array(since)}::float8[]) AS a(key, max, since))
        INSERT INTO rate_limit_attempts AS r (key, at)
        SELECT key, ARRAY[${at}::float8] FROM attempt ORDER BY key
        ON CONFLICT (key) DO UPDATE SET at = (
          SELECT ARRAY(SELECT t FROM unnest(r.at) t WHERE floor(t) > a.since ORDER BY t) || ${at}::float8 FROM attempt a WHERE a.key = r.key)
        WHERE (SELECT count(*) FROM attempt a, unnest(r.at) t WHERE a.key = r.key AND floor(t) > a.since) < (SELECT max FROM attempt a WHERE a.key = r.key)
        RETURNING key`
      if (counted.length === names.length) return { wait: 0, stamp: at }
      // All or none: the keys that counted the attempt give it back, since another refused it.
      const took = new Set(counted.map((row) => row.key))
      const [gave, refused] = [keys.filter((_, index) => took.has(names[index]!)), keys.filter((_, index) => !took.has(names[index]!))]
      if (gave.length > 0) await this.takeBack(gave, at)
      const rows: { key: string; at: number[] }[] = await sql`
        SELECT key, at FROM rate_limit_attempts WHERE key = ANY(${sql.array(refused.map(([name, key]) => rowKey(name, key)))}::text[])`
      let wait = 1 // room made since (an attempt taken back): try again at once, or nearly
      for (const [name, key] of refused) {
        const window = windows[name]
        const times = (rows.find((row) => row.key === rowKey(name, key))?.at ?? [])
          .map(Number)
          .filter((t) => Math.floor(t) > at - window.windowMs)
          .sort((a, b) => a - b)
        if (times.length >= window.limit)
          wait = Math.max(wait, Math.ceil((Math.floor(times[times.length - window.limit]!) + window.windowMs - at) / 1000))
      }
      return { wait, stamp: at }
    },
    async takeBack(keys, stamp) {
      const names = keys.map(([name, key]) => rowKey(name, key))
      await sql`
        UPDATE rate_limit_attempts SET at = at[:array_position(at, ${stamp}::float8) - 1] || at[array_position(at, ${stamp}::float8) + 1:]
        WHERE key IN (SELECT key FROM rate_limit_attempts WHERE key = ANY(${sql.array(names)}::text[]) ORDER BY key FOR UPDATE)
          AND ${stamp}::float8 = ANY(at)`
    },
    async prune(now) {
      await sql`DELETE FROM rate_limit_attempts WHERE coalesce(at[cardinality(at)], 0) <= ${now - longestWindowMs}`
    },
  }
}
