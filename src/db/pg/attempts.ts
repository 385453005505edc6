import type { SQL } from 'bun'
import type { AttemptLedger, LimitName, LimitWindows } from '../../services/rate-limits'
import { validText } from './text'

/**
 * The login and registration limits in PostgreSQL, shared by every replica. One statement per attempt upserts a
 * row per key: the upsert locks the row, so concurrent attempts on one key (from any replica) are counted one
 * after the other and never past the limit. Each row keeps only the attempt times still inside its window.
 */
export function postgresLedger(sql: SQL, windows: LimitWindows): AttemptLedger {
  // PostgreSQL text holds no NUL and no lone surrogate: such a key (never a real account's) is stored made valid.
  const rowKey = (name: LimitName, key: string) => `${name}:${validText(key)}`
  const longestWindowMs = Math.max(...Object.values(windows).map((window) => window.windowMs))

  return {
    async count(keys, at) {
      // A random fraction of a millisecond past the attempt's time, so that taking it back (array_remove removes
      // every equal value) removes only it; waits are computed from whole milliseconds.
      const stamp = at + Math.random() / 2
      // Rows are locked in key order by every statement here, so two attempts never wait on each other in a cycle.
      keys = [...keys].sort((a, b) => (rowKey(...a) < rowKey(...b) ? -1 : 1))
      const names = keys.map(([name, key]) => rowKey(name, key))
      const limits = keys.map(([name]) => windows[name].limit)
      const since = keys.map(([name]) => at - windows[name].windowMs)
      const rows: { key: string; at: number[] }[] = await sql`
        WITH attempt AS (SELECT * FROM unnest(${sql.array(names)}::text[], ${sql.array(limits)}::int[], ${sql.array(since)}::float8[]) AS a(key, max, since))
        INSERT INTO rate_limit_attempts AS r (key, at)
        SELECT key, ARRAY[${stamp}::float8] FROM attempt ORDER BY key
        ON CONFLICT (key) DO UPDATE SET at = (
          SELECT CASE WHEN cardinality(live.at) < a.max THEN live.at || ${stamp}::float8 ELSE live.at END
          FROM attempt a, LATERAL (SELECT ARRAY(SELECT t FROM unnest(r.at) t WHERE floor(t) > a.since ORDER BY t) AS at) live
          WHERE a.key = r.key)
        RETURNING key, at`
      let wait = 0
      for (const [index, name] of names.entries()) {
        const times = rows.find((row) => row.key === name)!.at.map(Number)
        if (times.includes(stamp)) continue
        const window = windows[keys[index]![0]]
        wait = Math.max(wait, Math.max(1, Math.ceil((Math.floor(times[times.length - window.limit]!) + window.windowMs - at) / 1000)))
      }
      // All or none: a key that counted the attempt gives it back when another refused it.
      if (wait > 0) await this.takeBack(keys, stamp)
      return { wait, stamp }
    },
    async takeBack(keys, stamp) {
      const names = keys.map(([name, key]) => rowKey(name, key))
      await sql`
        UPDATE rate_limit_attempts SET at = array_remove(at, ${stamp}::float8)
        WHERE key IN (SELECT key FROM rate_limit_attempts WHERE key = ANY(${sql.array(names)}::text[]) ORDER BY key FOR UPDATE)`
    },
    async prune(now) {
      await sql`DELETE FROM rate_limit_attempts WHERE coalesce(at[cardinality(at)], 0) <= ${now - longestWindowMs}`
    },
  }
}
