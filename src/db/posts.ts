import { and, asc, desc, eq, gt, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'
import type { RowsFrom } from './positions'
import { rawColumn, rowReader, rowsReader } from './rows'
import { posts } from './schema'

/** A post as the services see it; times are ms since the epoch, `summary` null when the body's start stands for it. */
export interface Post {
  id: number
  title: string
  summary: string | null
  body: string
  authorId: number
  timestamp: number
  updatedAt: number
  views: number
}

export type NewPostRow = Pick<Post, 'title' | 'summary' | 'body' | 'authorId'>
export type PostRowChanges = Partial<Pick<Post, 'title' | 'summary' | 'body'>>
/** The post next to another in the list, as its page links it. */
export type PostTitle = Pick<Post, 'id' | 'title'>

const raw = <T>(column: SQLiteColumn, alias: keyof Post) => rawColumn<T>(column, alias)
export const POST_COLUMNS = {
  id: posts.id,
  title: posts.title,
  summary: posts.summary,
  body: posts.body,
  authorId: raw<number>(posts.authorId, 'authorId'),
  timestamp: raw<number>(posts.timestamp, 'timestamp'),
  updatedAt: raw<number>(posts.updatedAt, 'updatedAt'),
  views: posts.views,
}
const columns = POST_COLUMNS
const byId = eq(posts.id, sql.placeholder('id'))
const nowMs = sql`(cast(unixepoch('subsec') * 1000 as integer))`
const ofAuthor = eq(posts.authorId, sql.placeholder('author'))

/**
 * Where a newest-first page starts, skipped to by id alone: an OFFSET over whole rows would read every skipped
 * post's body, several times the page's own cost at the end of a bucket (bench/). The page is then the keyset
 * range from that id down, which reads its rows in index order (a list of ids would look each one up anew).
 */
const pageStart = (where: SQL | undefined, offset: string) =>
  sql`(SELECT ${posts.id} FROM ${posts} WHERE ${where} ORDER BY ${posts.id} DESC LIMIT 1 OFFSET ${sql.placeholder(offset)})`

/** Every query on the posts table, prepared once per connection; lists are newest first (descending id). */
export function postQueries(db: Db) {
  const find = rowReader<Post, [number]>(db, db.select(columns).from(posts).where(byId), ['id'])
  // By min/max subqueries rather than LIMIT 1: Drizzle binds a LIMIT, which bun:sqlite runs dearer (src/db/users.ts).
  const title = { id: posts.id, title: posts.title }
  // Both neighbours in one statement (a post's read makes four otherwise); told apart by which side of `id` they lie.
  const newer = sql`(SELECT min(${posts.id}) FROM ${posts} WHERE ${posts.id} > ${sql.placeholder('id')})`
  const older = sql`(SELECT max(${posts.id}) FROM ${posts} WHERE ${posts.id} < ${sql.placeholder('id')})`
  const around = rowsReader<PostTitle, [number, number]>(db, db.select(title).from(posts).where(or(eq(posts.id, newer), eq(posts.id, older))), ['id', 'id'])
  const authorOf = db.select({ authorId: posts.authorId }).from(posts).where(byId).prepare()
  const insert = db
    .insert(posts)
    .values({
      title: sql.placeholder('title'),
      summary: sql.placeholder('summary'),
      body: sql.placeholder('body'),
      authorId: sql.placeholder('authorId'),
    })
    .returning(columns)
    .prepare()
  const remove = db.delete(posts).where(byId).returning({ id: posts.id }).prepare()
  const addViews = db.update(posts).set({ views: sql`${posts.views} + ${sql.placeholder('views')}` }).where(byId).prepare()
  // Keyset windows, all posts or one author's: ids strictly between the bounds, from the newest or the oldest end.
  const between = and(gt(posts.id, sql.placeholder('above')), lt(posts.id, sql.placeholder('below')))
  const windows = (where: SQL | undefined, order: readonly string[]) =>
    [desc(posts.id), asc(posts.id)].map((direction) =>
      rowsReader<Post, number[]>(db, db.select(columns).from(posts).where(where).orderBy(direction).limit(sql.placeholder('limit')), order as string[]),
    )
  const [newestBetween, oldestBetween] = windows(between, ['above', 'below', 'limit'])
  const [newestOfAuthor, oldestOfAuthor] = windows(and(between, ofAuthor), ['above', 'below', 'author', 'limit'])
  const anyIn = (where: SQL | undefined, order: string[]) =>
    rowReader<{ id: number | null }, number[]>(db, db.select({ id: sql<number | null>`min(${posts.id})`.as('id') }).from(posts).where(where), order)
  const atOrBelow = lte(posts.id, sql.placeholder('id'))
  const atOrAbove = gte(posts.id, sql.placeholder('id'))
  const anyAtOrBelow = [anyIn(atOrBelow, ['id']), anyIn(and(atOrBelow, ofAuthor), ['id', 'author'])] as const
  const anyAtOrAbove = [anyIn(atOrAbove, ['id']), anyIn(and(atOrAbove, ofAuthor), ['id', 'author'])] as const

  return {
    find,
    neighbours: (id: number): { newer?: PostTitle; older?: PostTitle } => {
      let newer: PostTitle | undefined
      let older: PostTitle | undefined
      for (const row of around(id, id)) {
        if (row.id > id) newer = row
        else older = row
      }
      return { newer, older }
    },
    authorOf: (id: number) => authorOf.get({ id })?.authorId,
    insert: (values: NewPostRow): Post => insert.get(values) as Post,
    update: (id: number, changes: PostRowChanges): Post | undefined =>
      db.update(posts).set({ ...changes, updatedAt: nowMs }).where(eq(posts.id, id)).returning(columns).get() as Post | undefined,
    remove: (id: number) => remove.all({ id }).length > 0,
    addViews: (id: number, views: number) => void addViews.run({ id, views }),
    /** Up to `limit` posts with ids strictly between the bounds, newest first or (`fromOldest`) oldest first. */
    between: (author: number | undefined, above: number, below: number, limit: number, fromOldest: boolean): Post[] =>
      author === undefined
        ? (fromOldest ? oldestBetween : newestBetween)!(above, below, limit)
        : (fromOldest ? oldestOfAuthor : newestOfAuthor)!(above, below, author, limit),
    anyBeyond: (author: number | undefined, id: number, side: 'below' | 'above') => {
      const [all, ofOne] = side === 'below' ? anyAtOrBelow : anyAtOrAbove
      return (author === undefined ? all(id) : ofOne(id, author))?.id != null
    },
  }
}

/**
 * Where a posts page starts (src/db/positions.ts): ids below `edge`, newest first; with `byAuthor`, that author's
 * posts only, skipped through their index (posts_author_id_id_idx).
 */
function pageFrom<Scope extends number[]>(db: Db, byAuthor: boolean): RowsFrom<Post, Scope> {
  const below = lt(posts.id, sql.placeholder('edge'))
  const page = rowsReader<Post, number[]>(
    db,
    db
      .select(columns)
      .from(posts)
      .where(and(byAuthor ? ofAuthor : undefined, lte(posts.id, pageStart(byAuthor ? and(ofAuthor, below) : below, 'skip'))))
      .orderBy(desc(posts.id))
      .limit(sql.placeholder('limit')),
    byAuthor ? ['author', 'author', 'edge', 'skip', 'limit'] : ['edge', 'skip', 'limit'],
  )
  return (edge, limit, skip, ...scope) => (byAuthor ? page(scope[0]!, scope[0]!, edge, skip, limit) : page(edge, skip, limit))
}

export const postPageFrom = (db: Db) => pageFrom<[]>(db, false)
export const authorPostPageFrom = (db: Db) => pageFrom<[author: number]>(db, true)

export type PostQueries = ReturnType<typeof postQueries>
