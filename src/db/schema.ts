import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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
    // The profile (src/services/input.ts holds the limits); created_at is its member_since.
    name: text('name', { length: 64 }),
    location: text('location', { length: 64 }),
    aboutMe: text('about_me'),
    // Written by the activity flusher (src/services/deferred-writes.ts), never on a read's path. NULL only on a row
    // inserted by plain SQL without it: the API shows member_since then.
    lastSeen: integer('last_seen', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(now),
    // Kept by the posts triggers (drizzle/0005_posts_triggers.sql) in the transaction of each post's insert or delete.
    postsCount: integer('posts_count').notNull().default(0),
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

/** A blog post; `summary` NULL means the start of `body` stands for it (src/services/posts.ts). */
export const posts = sqliteTable(
  'posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title', { length: 255 }).notNull(),
    summary: text('summary'),
    body: text('body').notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    timestamp: integer('timestamp', { mode: 'timestamp_ms' }).notNull().default(now),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(now),
    // Views land in batches (src/services/deferred-writes.ts): a read never waits on this write.
    views: integer('views').notNull().default(0),
  },
  (table) => [
    // An author's posts newest first, and the cascade from users, by one index.
    index('posts_author_id_id_idx').on(table.authorId, table.id),
    // The ids alone, a few hundred to a page: a page of the list skips to its start through them (src/db/posts.ts),
    // where the table's own leaves, holding the bodies, are a page per two posts (a 1,000-post skip missed the cache).
    index('posts_id_idx').on(table.id),
  ],
)

/**
 * How many rows of a table hold ids in each bucket of `2^shift` consecutive ids (bucket = id >> shift), at three
 * widths that nest 64 to 1. Triggers (drizzle/0003_user_counts_triggers.sql for users, 0005_posts_triggers.sql for
 * posts) keep them in the transaction of each insert and delete, so a write by any process, plain SQL included,
 * keeps them exact and no total or page position needs a scan: the total is the sum of the widest level (one row
 * per 4,194,304 ids), and the levels are the position index behind REST's page numbers (src/db/positions.ts).
 * A bucket emptied by deletions keeps its row at 0. `rows` is the column named after the table counted.
 */
const countBuckets = (name: string, counted: string) =>
  sqliteTable(name, { bucket: integer('bucket').primaryKey(), rows: integer(counted).notNull() }, (table) => [
    check(`${name}_${counted}_not_negative`, sql`${table.rows} >= 0`),
  ])

/**
 * The same counts for each author's posts alone (drizzle/0008_author_post_counts_triggers.sql): an author's page
 * is found by descending their buckets. An author's deletion takes their rows with them.
 */
const authorCountBuckets = (name: string) =>
  sqliteTable(
    name,
    {
      author: integer('author_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade', onUpdate: 'cascade' }),
      bucket: integer('bucket').notNull(),
      rows: integer('posts').notNull(),
    },
    (table) => [primaryKey({ columns: [table.author, table.bucket] }), check(`${name}_posts_not_negative`, sql`${table.rows} >= 0`)],
  )

export type CountBuckets = ReturnType<typeof countBuckets> | ReturnType<typeof authorCountBuckets>
export type BucketLevels = readonly { table: CountBuckets; shift: number }[]

export const usersBy4mIds = countBuckets('user_counts_by_4m_ids', 'users')
export const usersBy64kIds = countBuckets('user_counts_by_64k_ids', 'users')
export const usersBy1kIds = countBuckets('user_counts_by_1k_ids', 'users')
export const postsBy4mIds = countBuckets('post_counts_by_4m_ids', 'posts')
export const postsBy64kIds = countBuckets('post_counts_by_64k_ids', 'posts')
export const postsBy1kIds = countBuckets('post_counts_by_1k_ids', 'posts')
export const authorPostsBy4mIds = authorCountBuckets('author_post_counts_by_4m_ids')
export const authorPostsBy64kIds = authorCountBuckets('author_post_counts_by_64k_ids')
export const authorPostsBy1kIds = authorCountBuckets('author_post_counts_by_1k_ids')

/** Widest first, as the search descends; the shifts are the triggers'. */
export const USER_BUCKET_LEVELS: BucketLevels = [
  { table: usersBy4mIds, shift: 22 },
  { table: usersBy64kIds, shift: 16 },
  { table: usersBy1kIds, shift: 10 },
]
export const POST_BUCKET_LEVELS: BucketLevels = [
  { table: postsBy4mIds, shift: 22 },
  { table: postsBy64kIds, shift: 16 },
  { table: postsBy1kIds, shift: 10 },
]
export const AUTHOR_POST_BUCKET_LEVELS: BucketLevels = [
  { table: authorPostsBy4mIds, shift: 22 },
  { table: authorPostsBy64kIds, shift: 16 },
  { table: authorPostsBy1kIds, shift: 10 },
]
