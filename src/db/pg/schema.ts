import { sql } from 'drizzle-orm'
import { bigint, check, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

// The PostgreSQL twin of ../schema.ts: the same tables, columns and indexes by name (test/db/schema-shape.test.ts).
// Ids are bigint so that every id a URL may name (up to 15 digits) is a miss, not an out-of-range error.
const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity()
const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' })

export const users = pgTable(
  'users',
  {
    id: id(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    usernameKey: text('username_key'),
    emailKey: text('email_key'),
    name: text('name'),
    location: text('location'),
    aboutMe: text('about_me'),
    lastSeen: moment('last_seen'),
    createdAt: moment('created_at').notNull().default(sql`now()`),
    updatedAt: moment('updated_at').notNull().default(sql`now()`),
    // Kept by the posts trigger (drizzle/pg/0003_posts_triggers.sql), in the transaction of each insert or delete.
    postsCount: integer('posts_count').notNull().default(0),
  },
  (table) => [
    uniqueIndex('users_username_key_unique').on(table.usernameKey),
    uniqueIndex('users_email_key_unique').on(table.emailKey),
  ],
)

export const tokens = pgTable(
  'tokens',
  {
    id: id(),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: moment('expires_at').notNull(),
    createdAt: moment('created_at').notNull().default(sql`now()`),
  },
  (table) => [index('tokens_user_id_idx').on(table.userId), index('tokens_expires_at_idx').on(table.expiresAt)],
)

export const posts = pgTable(
  'posts',
  {
    id: id(),
    title: text('title').notNull(),
    summary: text('summary'),
    body: text('body').notNull(),
    authorId: bigint('author_id', { mode: 'number' })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    timestamp: moment('timestamp').notNull().default(sql`now()`),
    updatedAt: moment('updated_at').notNull().default(sql`now()`),
    views: bigint('views', { mode: 'number' }).notNull().default(0),
  },
  (table) => [index('posts_author_id_id_idx').on(table.authorId, table.id)],
)

/**
 * ../schema.ts's counts per id bucket, kept by triggers (drizzle/pg/0001_user_counts_triggers.sql for users,
 * 0003_posts_triggers.sql for posts); `rows` is the column named after the table counted.
 */
const countBuckets = (name: string, counted: string) =>
  pgTable(name, { bucket: bigint('bucket', { mode: 'number' }).primaryKey(), rows: integer(counted).notNull() }, (table) => [
    check(`${name}_${counted}_not_negative`, sql`${table.rows} >= 0`),
  ])

export const usersBy4mIds = countBuckets('user_counts_by_4m_ids', 'users')
export const usersBy64kIds = countBuckets('user_counts_by_64k_ids', 'users')
export const usersBy1kIds = countBuckets('user_counts_by_1k_ids', 'users')
export const postsBy4mIds = countBuckets('post_counts_by_4m_ids', 'posts')
export const postsBy64kIds = countBuckets('post_counts_by_64k_ids', 'posts')
export const postsBy1kIds = countBuckets('post_counts_by_1k_ids', 'posts')

/** ../schema.ts's counts per author and id bucket (drizzle/pg/0005_author_post_counts_triggers.sql). */
const authorCountBuckets = (name: string) =>
  pgTable(
    name,
    {
      author: bigint('author_id', { mode: 'number' })
        .notNull()
        .references(() => users.id, { onDelete: 'cascade', onUpdate: 'cascade' }),
      bucket: bigint('bucket', { mode: 'number' }).notNull(),
      rows: integer('posts').notNull(),
    },
    (table) => [primaryKey({ columns: [table.author, table.bucket] }), check(`${name}_posts_not_negative`, sql`${table.rows} >= 0`)],
  )

export const authorPostsBy4mIds = authorCountBuckets('author_post_counts_by_4m_ids')
export const authorPostsBy64kIds = authorCountBuckets('author_post_counts_by_64k_ids')
export const authorPostsBy1kIds = authorCountBuckets('author_post_counts_by_1k_ids')

/**
 * The login and registration limits every replica shares (src/db/pg/attempts.ts): one row per limited key, with
 * the times (ms) of the attempts still in its window. Only PostgreSQL has it; with SQLite they live in memory.
 */
export const attempts = pgTable('rate_limit_attempts', {
  key: text('key').primaryKey(),
  at: doublePrecision('at').array().notNull(),
})
