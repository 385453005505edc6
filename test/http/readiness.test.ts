import { describe, expect, test } from 'bun:test'
import { renameSync } from 'node:fs'
import { createApp, openMigratedDatabase } from '../../src/app'
import { sqliteOnly, testApp, testConfig } from '../helpers'
import { scratchDir } from '../process/server'

const readyz = async (app: ReturnType<typeof createApp>) => {
  const response = await app.handle(new Request('http://localhost/readyz'))
  return { status: response.status, body: await response.json() }
}

describe('GET /readyz', () => {
  test('is 200 {"status":"ready"} on a migrated database that answers', async () => {
    const { call } = testApp()
    expect(await call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } })
  })

  test('is 503 with the reason once a migration is missing', async () => {
    const { app, sql } = testApp()
    await sql('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)')
    const answer = await readyz(app)
    expect(answer.status).toBe(503)
    expect(answer.body).toEqual({ error: 'Service Unavailable', message: expect.stringMatching(/^migrations not applied: \d{4}_/) })
  })

  // SQLite's handle closed under the app; PostgreSQL out of reach is test/db/postgres.test.ts's.
  sqliteOnly('is 503 when the database no longer answers', async () => {
    const { app, database } = testApp()
    database.sqlite.close()
    const answer = await readyz(app)
    expect(answer.status).toBe(503)
    expect(answer.body.message).toStartWith('the database does not answer')
  })

  test('is 503 when the file was replaced under the server (a live restore), and 200 until then', async () => {
    const scratch = scratchDir()
    try {
      const config = testConfig({ databasePath: `${scratch.dir}/live.db` })
      const app = createApp(config, openMigratedDatabase(config))
      expect((await readyz(app)).status).toBe(200)
      openMigratedDatabase({ ...config, databasePath: `${scratch.dir}/restored.db` }).close()
      renameSync(`${scratch.dir}/restored.db`, `${scratch.dir}/live.db`)
      const answer = await readyz(app)
      expect(answer.status).toBe(503)
      expect(answer.body.message).toBe(`the database file ${scratch.dir}/live.db was removed or replaced since it was opened`)
    } finally {
      scratch.remove()
    }
  })
})
