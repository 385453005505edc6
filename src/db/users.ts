import { and, asc, desc, eq, gt, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { emailKey, usernameKey } from '../services/identity'
import type { Db } from './client'
import { rowReader, rowsReader } from './rows'
import { users } from './schema'

/** A user as the services see them: never the password hash. */
export type User = Pick<typeof users.$inferSelect, 'id' | 'username' | 'email'>

const columns = { id: users.id, username: users.username, email: users.email }
const byId = eq(users.id, sql.placeholder('id'))

/** The identity keys of whichever names are being written (src/services/identity.ts), always written with them. */
function identity(username: string | undefined, email: string | undefined) {
  return {
    usernameKey: username === undefined ? undefined : usernameKey(username),
    emailKey: email === undefined ? undefined : emailKey(email),
  }
}

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
  const insert = db
    .insert(users)
    .values({
      username: sql.placeholder('username'),
      usernameKey: sql.placeholder('usernameKey'),
      email: sql.placeholder('email'),
      emailKey: sql.placeholder('emailKey'),
      passwordHash: sql.placeholder('passwordHash'),
    })
    .returning(columns)
    .prepare()
  const remove = db.delete(users).where(byId).returning({ id: users.id }).prepare()
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
    idByUsername: (username: string) => idByUsernameKey.get({ key: usernameKey(username) })?.id,
    idByEmail: (email: string) => idByEmailKey.get({ key: emailKey(email) })?.id,
    /** The account a login names, by its identity, with the hash to verify against. */
    credentials: (username: string) => credentials.get({ key: usernameKey(username), name: username }),
    insert: (values: { username: string; email: string; passwordHash: string }): User =>
      insert.get({ ...values, ...identity(values.username, values.email) })!,
    update: (id: number, changes: { username?: string; email?: string; passwordHash?: string }): User | undefined =>
      db
        .update(users)
        .set({ ...changes, ...identity(changes.username, changes.email), updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning(columns)
        .get(),
    remove: (id: number) => remove.all({ id }).length > 0,
    /** Up to `limit` users with ids strictly between the bounds, from the low end or (`fromEnd`) the high end. */
    between: (after: number, before: number, limit: number, fromEnd: boolean): User[] =>
      (fromEnd ? highestBetween : lowestBetween)(after, before, limit),
    anyAtOrBelow: (id: number) => anyAtOrBelow.get({ id }) !== undefined,
    anyAtOrAbove: (id: number) => anyAtOrAbove.get({ id }) !== undefined,
  }
}

export type UserQueries = ReturnType<typeof userQueries>
