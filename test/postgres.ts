import { SQL } from 'bun'
import { loadConfig, type Config } from '../src/config'
import { openMigratedPostgres } from '../src/db/pg/open'
import type { ServiceDependencies } from '../src/services'
import { appHarness } from './helpers'

/** The PostgreSQL server the engine's tests run on (scripts/pg-cluster.sh starts one); unset, they are skipped. */
export const TEST_POSTGRES = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '') ? process.env.TEST_DATABASE_URL! : undefined

/** A fresh, empty database on the test server, for one test; `drop` removes it. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `madblog_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const admin = new SQL({ url: TEST_POSTGRES!, max: 1 })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const url = new URL(TEST_POSTGRES!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.close()
    },
  }
}

/** testConfig's settings over a PostgreSQL URL. */
export function postgresConfig(url: string, overrides: Partial<Config> = {}): Config & { postgres: NonNullable<Config['postgres']> } {
  const config = { ...loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'error', PG_STARTUP_WAIT_SECONDS: '2' }), passwordHashing: { memoryCost: 1024, timeCost: 1 }, ...overrides }
  return config as Config & { postgres: NonNullable<Config['postgres']> }
}

/** testApp on PostgreSQL: its own migrated pool over `url` (several apps over one url act as replicas). */
export async function postgresApp(url: string, overrides: Partial<Config> = {}, dependencies: ServiceDependencies = {}) {
  const config = postgresConfig(url, overrides)
  return appHarness(config, await openMigratedPostgres(config), dependencies)
}
