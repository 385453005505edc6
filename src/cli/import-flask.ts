/**
 * `madblog import-flask <tutorweb.db> [--dry-run]`: the Flask tutorial's users, moved in with their ids and their
 * werkzeug password hashes (accepted at login, replaced by argon2id at the first one), under madblog's rules.
 */
import { andThen, sqliteStore, type Awaitable } from '../db/store'
import { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import type { Config } from '../config'
import { createServices, type Services } from '../services'
import { DomainError, NotFoundError } from '../services/errors'
import { normalizeUsername } from '../services/identity'
import { checkAccountNames } from '../services/input'
import { isAcceptedHash } from '../services/passwords'
import type { User } from '../services/users'
import { CommandError, describeFailure, parse, withAdminDatabase, withDatabase } from './command'
import { progress } from './progress'

interface FlaskUser {
  id: unknown
  username: unknown
  email: unknown
  password_hash: unknown
}

const REQUIRED = ['id', 'username', 'email', 'password_hash']
// Thrown to roll a dry run's transaction back once every row has been tried.
const DRY_RUN = Symbol('dry run')

/** The tutorial's table (Flask-SQLAlchemy names the `User` model's table `user`; some rename it `users`) and its rows. */
function readFlaskUsers(path: string): { table: string; rows: FlaskUser[]; tokens: boolean } {
  if (!existsSync(path)) throw new CommandError(`no file at ${path}`)
  let source: Database
  try {
    source = new Database(path, { readonly: true, strict: true })
  } catch (cause) {
    throw new CommandError(`cannot open ${path}: ${(cause as Error).message}`)
  }
  try {
    for (const table of ['user', 'users']) {
      const columns = source.query<{ name: string }, []>(`PRAGMA table_info("${table}")`).all().map((column) => column.name)
      if (!REQUIRED.every((column) => columns.includes(column))) continue
      const rows = source.query<FlaskUser, []>(`SELECT id, username, email, password_hash FROM "${table}" ORDER BY id`).all()
      return { table, rows, tokens: columns.includes('token') }
    }
  } catch (cause) {
    throw new CommandError(`${path} is not a SQLite database (${(cause as Error).message})`)
  } finally {
    source.close()
  }
  throw new CommandError(`${path} has no table user or users with the columns ${REQUIRED.join(', ')}: not the Flask tutorial's database`)
}

/** `call`'s value, or what `recover` makes of its failure, synchronously when `call` is (SQLite's services are). */
function recovering<T, R>(call: () => Awaitable<T>, recover: (error: unknown) => R): Awaitable<T | R> {
  try {
    const value = call()
    return value instanceof Promise ? value.catch(recover) : value
  } catch (error) {
    return recover(error)
  }
}

const accountWithId = (services: Services, id: number): Awaitable<User | undefined> =>
  recovering(
    () => services.users.get(id),
    (error) => {
      if (error instanceof NotFoundError) return undefined
      throw error
    },
  )

interface Skipped {
  id: unknown
  username: unknown
  reason: string
}

type Outcome = 'imported' | 'present' | 'skipped'

/** One row under madblog's rules: kept, already here from an earlier run, or skipped with its reason. */
function importRow(services: Services, row: FlaskUser, skipped: Skipped[]): Awaitable<Outcome> {
  const skip = (reason: string): Outcome => (skipped.push({ id: row.id, username: row.username, reason }), 'skipped')
  if (typeof row.id !== 'number' || !Number.isSafeInteger(row.id) || row.id < 1) return skip('id: not a positive whole number')
  const id = row.id
  return andThen(accountWithId(services, id), (holder): Awaitable<Outcome> => {
    // The same account, as an earlier run stored it (in the identity rule's normal form).
    if (holder) return holder.username === normalizeUsername(row.username) ? 'present' : skip(`id: ${id} already belongs to ${holder.username}`)
    if (typeof row.password_hash !== 'string' || !isAcceptedHash(row.password_hash))
      return skip('password_hash: a format madblog cannot check (it takes werkzeug pbkdf2:<digest>:<iterations> and scrypt:<n>:<r>:<p>, and argon2)')
    const hash = row.password_hash
    return recovering(
      () => andThen(services.users.importAccount(id, checkAccountNames({ username: row.username, email: row.email }), hash), (): Outcome => 'imported'),
      (error) => {
        if (!(error instanceof DomainError)) throw error
        return skip(describeFailure(error))
      },
    )
  })
}

export async function importFlaskCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { 'dry-run': { type: 'boolean' }, quiet: { type: 'boolean' } }, { min: 1, max: 1 })
  const file = positionals[0]!
  const { table, rows, tokens } = readFlaskUsers(file)
  const dryRun = values['dry-run'] === true
  const skipped: Skipped[] = []
  const tally = { imported: 0, present: 0, skipped: 0 }
  const line = progress('importing', rows.length, 'rows', values.quiet)
  try {
    if (config.postgres) await importIntoPostgresDatabase({ ...config, postgres: config.postgres }, rows, skipped, tally, dryRun, line.update)
    else
      await withDatabase(config, (database) => {
        const services = createServices(sqliteStore(database.db), config)
        try {
          // SQLite's services answer synchronously: every row in one immediate transaction.
          database.db.transaction(
            () => {
              rows.forEach((row, index) => {
                line.update(index)
                tally[importRow(services, row, skipped) as Outcome]++
              })
              // A dry run goes through every insert, so it finds every clash, and then keeps none of them.
              if (dryRun) throw DRY_RUN
            },
            { behavior: 'immediate' },
          )
        } catch (error) {
          if (error !== DRY_RUN) throw error
        }
      })
    line.update(rows.length)
  } finally {
    line.finish()
  }
  for (const row of skipped) console.log(`skipped id ${row.id} ${JSON.stringify(row.username)}: ${row.reason}`)
  const verb = dryRun ? 'would import' : 'imported'
  console.log(
    `${verb} ${tally.imported} of ${rows.length} users from ${file} (table ${table}); ${skipped.length} skipped, ${tally.present} already here` +
      (dryRun ? '; dry run: nothing was changed' : ''),
  )
  if (tokens) console.log('tokens were not imported (the tutorial stores them in plain text): users log in again for new ones')
  return 0
}

/** The same rows into PostgreSQL: one transaction, a savepoint per row (src/db/pg/import.ts). */
async function importIntoPostgresDatabase(
  config: Config & { postgres: NonNullable<Config['postgres']> },
  rows: FlaskUser[],
  skipped: Skipped[],
  tally: Record<Outcome, number>,
  dryRun: boolean,
  update: (done: number) => void,
) {
  const { importIntoPostgres } = await import('../db/pg/import')
  await withAdminDatabase(config, async (database) =>
    importIntoPostgres(database.pg!, config.rateLimits, !dryRun, async (store, eachRow) => {
      const services = createServices(store, config)
      for (const [index, row] of rows.entries()) {
        update(index)
        await eachRow(async () => {
          const outcome = await importRow(services, row, skipped)
          tally[outcome]++
          return outcome !== 'skipped'
        })
      }
    }),
  )
}
