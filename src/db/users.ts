import { and, asc, desc, eq, gt, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Db } from './client'
import { rowReader, rowsReader } from './rows'
import { users } from './schema'
import { createUserPositions } from './user-positions'

/** A user as the services see them: never the password hash. */
export type User = Pick<typeof users.$inferSelect, 'id' | 'username' | 'email'>

/** What a new row holds: the stored names with their identity keys, and the password hash. */
type NewRow = { username: string; usernameKey: string; email: string; emailKey: string; passwordHash: string }

const columns = { id: users.id, username: users.username, email: users.email }
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
    insert: (values: NewRow): User => insert.get(values)!,
    insertWithId: (values: NewRow & { id: number }): User => insertWithId.get(values)!,
    update: (id: number, changes: Partial<NewRow>): User | undefined =>
      db.update(users).set({ ...changes, updatedAt: new Date() }).where(eq(users.id, id)).returning(columns).get(),
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

export type UserQueries = ReturnType<typeof userQueries>
