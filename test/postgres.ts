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

/** Databases opened, by the test that opened them (0: a hook outside any test, such as beforeAll). */
const opened: { test: number; close: () => Promise<void> }[] = []
let currentTest = 0

/** test/preload.ts: each test's databases are closed after it; those of beforeAll hooks at the very end. */
export function trackTests(hooks: { beforeEach(f: () => void): void; afterEach(f: () => Promise<void>): void; afterAll(f: () => Promise<void>): void }) {
  let serial = 0
  const closeWhere = async (which: (test: number) => boolean) => {
    const closing = opened.filter((entry) => which(entry.test))
    opened.splice(0, opened.length, ...opened.filter((entry) => !which(entry.test)))
    for (const entry of closing.reverse()) await entry.close()
  }
  hooks.beforeEach(() => void (currentTest = ++serial))
  hooks.afterEach(async () => {
    const finished = currentTest
    currentTest = 0
    await closeWhere((test) => test === finished)
  })
  hooks.afterAll(() => closeWhere(() => true))
}

/**
 * What testApp runs on under TEST_ENGINE=postgres: a database of its own, created and migrated on first use, so
 * that testApp stays synchronous. Every store call waits for it; closed after the test.
 */
export function lazyPostgres(config: Config): PostgresDatabase & { ready: Promise<PostgresDatabase> } {
  const ready = (async () => {
    const database = await freshPostgres()
    const handle = await openMigratedPostgres({ ...config, postgres: postgresConfig(database.url).postgres })
    return { database, handle }
  })()
  opened.push({
    test: currentTest,
    close: async () => {
      const { database, handle } = await ready
      await handle.close()
      await database.drop()
    },
  })
  const handle = ready.then(({ handle }) => handle)
  const later = <T extends object>(pick: (handle: PostgresDatabase) => T) =>
    new Proxy({} as T, {
      get: (_, key) => async (...args: unknown[]) => {
        const target = pick(await handle) as Record<PropertyKey, (...args: unknown[]) => unknown>
        return target[key]!(...args)
      },
    })
  const ledger = later<AttemptLedger>((handle) => handle.store.attempts!)
  const store = new Proxy(later<Store>((handle) => handle.store), {
    get: (target, key) => (key === 'takenField' ? takenFieldOfPostgres : key === 'attempts' ? ledger : Reflect.get(target, key)),
  })
  return {
    ready: handle,
    store,
    applied: [],
    get db(): PostgresDatabase['db'] {
      throw new Error('lazyPostgres: await ready for the drizzle handle')
    },
    unbounded(): SQL {
      throw new Error('lazyPostgres: await ready for the pool')
    },
    // What the readiness check asks of the pool, once it exists.
    sql: { unsafe: async (...args: Parameters<SQL['unsafe']>) => (await handle).sql.unsafe(...args) } as unknown as PostgresDatabase['sql'],
    close: async () => void (await handle).close(),
  }
}
