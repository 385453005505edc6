import type { Database } from 'bun:sqlite'
import { getTableName } from 'drizzle-orm'
import { AUTHOR_POST_BUCKET_LEVELS, USER_BUCKET_LEVELS } from '../../src/db/schema'

/** A User as the stores read it (src/db/users.ts), by plain SQL. */
export const USER_SELECT =
  'SELECT id, username, email, name, location, about_me AS aboutMe, created_at AS memberSince, last_seen AS lastSeen, posts_count AS postsCount FROM users'

/** Every count the triggers keep, beside the same counts made by scanning `users`; they must be equal. */
export function countsAndTheirScans(sqlite: Database) {
  const scalar = (query: string) => (sqlite.query(query).get() as { n: number }).n
  const buckets = (query: string) => sqlite.query(query).all()
  return {
    kept: {
      total: scalar(`SELECT coalesce(sum(users), 0) AS n FROM ${getTableName(USER_BUCKET_LEVELS[0]!.table)}`),
      levels: USER_BUCKET_LEVELS.map(({ table }) =>
        buckets(`SELECT bucket, users FROM ${getTableName(table)} WHERE users > 0 ORDER BY bucket`),
      ),
    },
    scanned: {
      total: scalar('SELECT count(*) AS n FROM users'),
      levels: USER_BUCKET_LEVELS.map(({ shift }) =>
        buckets(`SELECT id >> ${shift} AS bucket, count(*) AS users FROM users GROUP BY id >> ${shift} ORDER BY bucket`),
      ),
    },
  }
}

/** Each author's post counts the triggers keep (rows above 0), beside the same counts made by scanning `posts`. */
export function authorPostCountsAndTheirScans(sqlite: Database) {
  const buckets = (query: string) => sqlite.query(query).all()
  return {
    kept: AUTHOR_POST_BUCKET_LEVELS.map(({ table }) =>
      buckets(`SELECT author_id, bucket, posts FROM ${getTableName(table)} WHERE posts > 0 ORDER BY author_id, bucket`),
    ),
    scanned: AUTHOR_POST_BUCKET_LEVELS.map(({ shift }) =>
      buckets(`SELECT author_id, id >> ${shift} AS bucket, count(*) AS posts FROM posts GROUP BY author_id, id >> ${shift} ORDER BY author_id, bucket`),
    ),
  }
}
