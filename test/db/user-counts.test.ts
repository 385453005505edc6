import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { createUserPositions } from '../../src/db/users'
import { countsAndTheirScans } from './counts'

const WRITER = join(import.meta.dir, 'count-writer.ts')

describe('user counts under concurrent writers', () => {
  test('processes writing one file at once keep the total equal to COUNT(*) after every write, and pages equal OFFSET', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'madblog-counts-')), 'madblog.db')
    const setup = openDatabase(path)
    migrate(setup.db)
    setup.close()
    const writers = [1, 2, 3].map((n) =>
      Bun.spawn(['bun', WRITER, path, `w${n}`, String(n * 7919 + Date.now()), '400'], { stdout: 'pipe', stderr: 'pipe' }),
    )
    const results = await Promise.all(writers.map(async (writer) => ({ code: await writer.exited, stderr: await new Response(writer.stderr).text() })))
    expect(results).toEqual(results.map(() => ({ code: 0, stderr: '' })))

    const first = openDatabase(path)
    const second = openDatabase(path)
    const { kept, scanned } = countsAndTheirScans(first.sqlite)
    expect(kept).toEqual(scanned)
    expect(scanned.total).toBeGreaterThan(0)
    // No per-process state: a second connection reads the same pages and totals.
    const [a, b] = [createUserPositions(first.db), createUserPositions(second.db)]
    for (const offset of [0, Math.floor(scanned.total / 2), scanned.total - 1]) expect(a.page(offset, 20)).toEqual(b.page(offset, 20))
    first.close()
    second.close()
  }, 60_000)
})
