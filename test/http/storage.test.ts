import { describe, expect, spyOn, test } from 'bun:test'
import { mkdtempSync, renameSync, copyFileSync, rmSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app'
import { openDatabase } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { codes } from '../graphql/client'
import { ON_POSTGRES } from '../postgres'
import { testApp, testConfig } from '../helpers'

const body = (username: string) => ({ body: { username, email: `${username}@example.com`, password: 'secret' } })
const CREATE = 'mutation { createUser(input: {username: "bob", email: "bob@example.com", password: "secret"}) { id } }'

/** console.error captured while `run` runs: the lines the server logged. */
async function logLines(run: () => Promise<void>): Promise<string[]> {
  const logged = spyOn(console, 'error').mockImplementation(() => {})
  try {
    await run()
    return logged.mock.calls.map((args) => args.map(String).join(' '))
  } finally {
    logged.mockRestore()
  }
}

// SQLite's own failures (a full disk, I/O errors, the file replaced); PostgreSQL's are in test/db/postgres.test.ts.
describe.skipIf(ON_POSTGRES)('a database that cannot take a write', () => {
  test('a full disk (SQLITE_FULL) is 503 with Retry-After, and GraphQL SERVICE_UNAVAILABLE, each one bounded line', async () => {
    const { call, database } = testApp()
    await call('POST', '/api/users', body('ada'))
    // No page may be added: the next insert fails as on a full disk.
    const pages = database.sqlite.query<{ page_count: number }, []>('PRAGMA page_count').get()!.page_count
    database.sqlite.run(`PRAGMA max_page_count = ${pages}`)
    const lines = await logLines(async () => {
      let index = 0
      for (let i = 0; i < 200; i++) {
        const answer = await call('POST', '/api/users', body(`user${index++}`))
        if (answer.status === 201) continue
        expect(answer.status).toBe(503)
        expect(answer.headers.get('retry-after')).toBe('30')
        expect(answer.body).toEqual({ error: 'Service Unavailable' })
        break
      }
      const graphql = await call('POST', '/graphql', { body: { query: CREATE } })
      expect(codes(graphql.body)).toEqual(['SERVICE_UNAVAILABLE'])
      expect(graphql.body.errors[0].extensions.retryAfter).toBe(30)
      expect(graphql.text).not.toMatch(/sqlite|full/i)
    })
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      expect(line).toContain('SQLITE_FULL')
      expect(line).not.toContain('\n')
      expect(line.length).toBeLessThan(5000)
    }
  })

  test('an I/O error (SQLITE_IOERR_*) is 503 too', async () => {
    const { call, signUp, database } = testApp()
    await signUp('ada')
    // What bun:sqlite throws when the disk fails under a commit; a real one cannot be caused on demand.
    database.db.transaction = () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_FSYNC', errno: 1034 })
    }
    const lines = await logLines(async () => {
      const answer = await call('POST', '/api/tokens', { basic: ['ada', 'secret'] })
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBe('30')
    })
    expect(lines).toEqual([expect.stringMatching(/ERROR POST \/api\/tokens failed: the database cannot take it now .*disk I\/O error/)])
  })

  test.each([
    ['deleted', (path: string) => unlinkSync(path)],
    ['replaced by a copy', (path: string) => (copyFileSync(path, `${path}.copy`), renameSync(`${path}.copy`, path))],
  ])('a database file %s while open takes no write: 503 and an error line, never a 201 into the lost file', async (_, change) => {
    const dir = mkdtempSync(join(tmpdir(), 'madblog-storage-'))
    const path = join(dir, 'madblog.db')
    const database = openDatabase(path)
    migrate(database.db)
    const app = createApp(testConfig(), database)
    const post = (username: string) =>
      app.handle(new Request('http://localhost/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(username).body) }))
    try {
      expect((await post('ada')).status).toBe(201)
      change(path)
      const lines = await logLines(async () => {
        const refused = await post('bob')
        expect(refused.status).toBe(503)
        expect(refused.headers.get('retry-after')).toBe('30')
      })
      expect(lines).toEqual([expect.stringContaining(`was deleted or replaced while open: restart madblog`)])
    } finally {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

})
