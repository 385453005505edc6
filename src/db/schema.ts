import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username', { length: 64 }).notNull(),
    email: text('email', { length: 120 }).notNull(),
    passwordHash: text('password_hash').notNull(),
    // The identity keys (src/services/identity.ts). NULL only on a row that already shared its key with an
    // older account when the rule arrived (src/db/identity-keys.ts): it keeps working, by its exact name.
    usernameKey: text('username_key'),
    emailKey: text('email_key'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(now),
  },
  (table) => [
    // One identity, one account: "ÄLICE", "älice" and "ａｌｉｃｅ" share a key.
    uniqueIndex('users_username_key_unique').on(table.usernameKey),
    uniqueIndex('users_email_key_unique').on(table.emailKey),
  ],
)

export const tokens = sqliteTable(
  'tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
  },
  (table) => [index('tokens_user_id_idx').on(table.userId), index('tokens_expires_at_idx').on(table.expiresAt)],
)

/**
 * How many users hold ids in each bucket of `2^shift` consecutive ids (bucket = id >> shift), at three widths that
 * nest 64 to 1. Triggers (drizzle/0003_user_counts_triggers.sql) keep them in the transaction of each insert and
 * delete, so a write by any process, plain SQL included, keeps them exact and no total or page position needs a scan
 * of `users`: the total is the sum of the widest level (one row per 4,194,304 ids), and the levels are the position
 * index behind REST's page numbers (src/db/user-positions.ts). A bucket emptied by deletions keeps its row at 0.
 */
const userBuckets = (name: string) =>
  sqliteTable(name, { bucket: integer('bucket').primaryKey(), users: integer('users').notNull() }, (table) => [
    check(`${name}_users_not_negative`, sql`${table.users} >= 0`),
  ])

export const usersBy4mIds = userBuckets('user_counts_by_4m_ids')
export const usersBy64kIds = userBuckets('user_counts_by_64k_ids')
export const usersBy1kIds = userBuckets('user_counts_by_1k_ids')

/** Widest first, as the search descends; the shifts are the triggers' (drizzle/0003_user_counts_triggers.sql). */
export const USER_BUCKET_LEVELS = [
  { table: usersBy4mIds, shift: 22 },
  { table: usersBy64kIds, shift: 16 },
  { table: usersBy1kIds, shift: 10 },
] as const

