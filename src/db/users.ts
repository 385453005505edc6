import { and, asc, desc, eq, gt, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'
import { createPositions } from './positions'
import { rawColumn, rowReader, rowsReader } from './rows'
import { USER_BUCKET_LEVELS, users } from './schema'

/** A user as the services see them: never the password hash. Times are ms since the epoch. */
export interface User {
  id: number
  username: string
  email: string
  name: string | null
  location: string | null
  aboutMe: string | null
  memberSince: number
  lastSeen: number | null
  postsCount: number
}

export type ProfileChanges = Partial<Pick<User, 'name' | 'location' | 'aboutMe'>>

const raw = <T>(column: SQLiteColumn, alias: keyof User) => rawColumn<T>(column, alias)

/** The columns of a User, for every query that reads one (the tokens' owner lookup included). */
export const USER_COLUMNS = {
  id: users.id,
  username: users.username,
  email: users.email,
  name: users.name,
  location: users.location,
  aboutMe: raw<string | null>(users.aboutMe, 'aboutMe'),
  memberSince: raw<number>(users.createdAt, 'memberSince'),
  lastSeen: raw<number | null>(users.lastSeen, 'lastSeen'),
  postsCount: raw<number>(users.postsCount, 'postsCount'),
}

/** What a new row holds: the stored names with their identity keys, and the password hash. */
type NewRow = { username: string; usernameKey: string; email: string; emailKey: string; passwordHash: string }

const columns = USER_COLUMNS
const byId = eq(users.id, sql.placeholder('id'))

/** Every query on the users table, prepared once per connection. */
export function userQueries(db: Db) {
  // Lookups by the primary key or a unique index match one row at most, so they carry no LIMIT: Drizzle binds
  // it as a parameter, and a bound LIMIT costs about 5 µs a run on bun:sqlite (bench/), more than the lookup.
  const find = rowReader<User, [number]>(db, db.select(columns).from(users).where(byId), ['id'])
  const passwordHash = db.select({ passwordHash: users.passwordHash }).from(users).where(byId).prepare()
  const idByUsernameKey = db.select({ id: users.id }).from(users).where(eq(users.usernameKey, sql.placeholder('key'))).prepare()
  const idByEmailKey = db.select({ id: users.id }).from(users).where(eq(users.emailKey, sql.placeholder('key'))).prepare()
  // By identity key; a row left without one (it shared its key with an older account when the identity rule
  // arrived, src/db/identity-keys.ts) is found by its exact name, which wins over the key's holder.
  const credentials = db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(or(eq(users.usernameKey, sql.placeholder('key')), and(isNull(users.usernameKey), eq(users.username, sql.placeholder('name')))))
    .orderBy(sql`${users.username} = ${sql.placeholder('name')} DESC`)
    .limit(1)
    .prepare()
  // Writes prepared once: unprepared, an INSERT or DELETE would compile the count triggers' programs every time.
  const newRow = {
    username: sql.placeholder('username'),
    usernameKey: sql.placeholder('usernameKey'),
    email: sql.placeholder('email'),
    emailKey: sql.placeholder('emailKey'),
    passwordHash: sql.placeholder('passwordHash'),
    lastSeen: sql`(cast(unixepoch('subsec') * 1000 as integer))`,
  }
  const insert = db.insert(users).values(newRow).returning(columns).prepare()
  // An imported account keeps the id it had elsewhere.
  const insertWithId = db
    .insert(users)
    .values({ id: sql.placeholder('id'), ...newRow })
    .returning(columns)
    .prepare()
  const remove = db.delete(users).where(byId).returning({ id: users.id }).prepare()
  const positions = createUserPositions(db)
  // The ids as one JSON array: a single prepared statement whatever their number.
  const byIds = rowsReader<User, [string]>(
    db,
    db.select(columns).from(users).where(sql`${users.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`),
    ['ids'],
  )
  const seen = db
    .update(users)
    .set({ lastSeen: sql`${sql.placeholder('at')}` })
    .where(and(byId, or(isNull(users.lastSeen), lt(users.lastSeen, sql.placeholder('at')))))
    .prepare()
  const between = and(gt(users.id, sql.placeholder('after')), lt(users.id, sql.placeholder('before')))
  const betweenOrder = ['after', 'before', 'limit'] as [string, string, string]
  const lowestBetween = rowsReader<User, [number, number, number]>(
    db,
    db.select(columns).from(users).where(between).orderBy(asc(users.id)).limit(sql.placeholder('limit')),
    betweenOrder,
  )
  const highestBetween = rowsReader<User, [number, number, number]>(
    db,
    db.select(columns).from(users).where(between).orderBy(desc(users.id)).limit(sql.placeholder('limit')),
    betweenOrder,
  )
  const anyAtOrBelow = db.select({ id: users.id }).from(users).where(lte(users.id, sql.placeholder('id'))).limit(1).prepare()
  const anyAtOrAbove = db.select({ id: users.id }).from(users).where(gte(users.id, sql.placeholder('id'))).limit(1).prepare()

  return {
    find,
    passwordHash: (id: number) => passwordHash.get({ id })?.passwordHash,
    idByUsernameKey: (key: string) => idByUsernameKey.get({ key })?.id,
    idByEmailKey: (key: string) => idByEmailKey.get({ key })?.id,
    /** The account a login names (by its identity key, or the exact name of a row without one), with its hash. */
    credentials: (key: string, name: string) => credentials.get({ key, name }),
    insert: (values: NewRow): User => insert.get(values) as User,
    insertWithId: (values: NewRow & { id: number }): User => insertWithId.get(values) as User,
    update: (id: number, changes: Partial<NewRow> & ProfileChanges): User | undefined =>
      db.update(users).set({ ...changes, updatedAt: new Date() }).where(eq(users.id, id)).returning(columns).get() as User | undefined,
    /** The users of these ids that exist, in no particular order: one statement for a page's authors. */
    findMany: (ids: number[]): User[] => (ids.length === 0 ? [] : byIds(JSON.stringify(ids))),
    /** Moves last_seen forward only: a late batch never takes it back. */
    markSeen: (id: number, at: number) => void seen.run({ id, at }),
    /** False when there was no such user. */
    remove: (id: number) => remove.all({ id }).length > 0,
    /** `limit` users from position `offset` in id order, and the total, from the counts the database keeps. */
    page: positions.page,
    count: positions.count,
    /** Up to `limit` users with ids strictly between the bounds, from the low end or (`fromEnd`) the high end. */
    between: (after: number, before: number, limit: number, fromEnd: boolean): User[] =>
      (fromEnd ? highestBetween : lowestBetween)(after, before, limit),
    anyAtOrBelow: (id: number) => anyAtOrBelow.get({ id }) !== undefined,
    anyAtOrAbove: (id: number) => anyAtOrAbove.get({ id }) !== undefined,
  }
}

/** Users in id order from the kept counts (./positions.ts): REST's users pages. */
export const createUserPositions = (db: Db) =>
  createPositions<User>(
    db,
    USER_BUCKET_LEVELS,
    'up',
    rowsReader<User, [number, number, number]>(
      db,
      db
        .select(columns)
        .from(users)
        .where(gte(users.id, sql.placeholder('edge')))
        .orderBy(asc(users.id))
        .limit(sql.placeholder('limit'))
        .offset(sql.placeholder('skip')),
      ['edge', 'limit', 'skip'],
    ),
  )

export type UserQueries = ReturnType<typeof userQueries>
