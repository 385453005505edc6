import { SQL } from 'bun'
import { loadConfig, type Config } from '../src/config'
import { openMigratedPostgres, type PostgresDatabase } from '../src/db/pg/open'
import { takenFieldOfPostgres, type Store } from '../src/db/store'
import type { AttemptLedger } from '../src/services/rate-limits'

/** The PostgreSQL server the engine's tests run on (scripts/pg-cluster.sh starts one); unset, they are skipped. */
export const TEST_POSTGRES = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '') ? process.env.TEST_DATABASE_URL! : undefined
/** TEST_ENGINE=postgres runs every testApp on a fresh PostgreSQL database instead of SQLite's :memory:. */
export const ON_POSTGRES = process.env.TEST_ENGINE === 'postgres' && TEST_POSTGRES !== undefined

let admin: SQL | undefined
let serial = 0

/** A fresh, empty database on the test server; `drop` removes it. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `madblog_test_${process.pid}_${++serial}`
  admin ??= new SQL({ url: TEST_POSTGRES!, max: 2 })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const url = new URL(TEST_POSTGRES!)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: async () => void (await admin!.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) }
}

/** testConfig's settings over a PostgreSQL URL. */
export function postgresConfig(url: string, overrides: Partial<Config> = {}): Config & { postgres: NonNullable<Config['postgres']> } {
  const base = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'error', PG_STARTUP_WAIT_SECONDS: '2', PG_POOL_MAX: '4' })
  return { ...base, passwordHashing: { memoryCost: 1024, timeCost: 1 }, ...overrides } as Config & { postgres: NonNullable<Config['postgres']> }
}

const opened: (() => Promise<void>)[] = []

/** Closes every pool and drops every database the finished test opened (test/preload.ts runs it after each). */
export async function closeOpened() {
  for (const close of opened.splice(0).reverse()) await close()
}

/**
 * What testApp runs on under TEST_ENGINE=postgres: a database of its own, created and migrated on first use, so
 * that testApp stays synchronous. Every store call waits for it; closed after the test.
 */
export function lazyPostgres(config: Config): PostgresDatabase & { ready: Promise<PostgresDatabase> } {
  const ready = (async () => {
    const database = await freshPostgres()
    const handle = await openMigratedPostgres({ ...config, postgres: postgresConfig(database.url).postgres })
    opened.push(async () => {
      await handle.close()
      await database.drop()
    })
    return handle
  })()
  const later = <T extends object>(pick: (handle: PostgresDatabase) => T) =>
    new Proxy({} as T, {
      get: (_, key) => async (...args: unknown[]) => {
        const target = pick(await ready) as Record<PropertyKey, (...args: unknown[]) => unknown>
        return target[key]!(...args)
      },
    })
  const ledger = later<AttemptLedger>((handle) => handle.store.attempts!)
  const store = new Proxy(later<Store>((handle) => handle.store), {
    get: (target, key) => (key === 'takenField' ? takenFieldOfPostgres : key === 'attempts' ? ledger : Reflect.get(target, key)),
  })
  return {
    ready,
    store,
    applied: [],
    get db(): PostgresDatabase['db'] {
      throw new Error('lazyPostgres: await ready for the drizzle handle')
    },
    get sql(): PostgresDatabase['sql'] {
      throw new Error('lazyPostgres: await ready for the pool')
    },
    close: async () => void (await ready).close(),
  }
}
