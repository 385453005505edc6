import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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

export type UserRow = typeof users.$inferSelect
