import { expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, openMigratedDatabase } from '../../src/app'
import { testConfig } from '../helpers'

test('close() checkpoints and really closes, though the services still hold prepared statements', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'madblog-close-'))
  try {
    const config = testConfig({ databasePath: join(dir, 'madblog.db') })
    const database = openMigratedDatabase(config)
    const app = createApp(config, database)
    const created = await app.handle(
      new Request('http://localhost/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ann', email: 'ann@example.com', password: 'secret' }),
      }),
    )
    expect(created.status).toBe(201)
    expect(readdirSync(dir).sort()).toEqual(['madblog.db', 'madblog.db-shm', 'madblog.db-wal'])
    database.close()
    // SQLite removes -wal and -shm on the last close only: left behind, they would mean a connection still open.
    expect(readdirSync(dir)).toEqual(['madblog.db'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
