import { afterAll, beforeAll, expect, test } from 'bun:test'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { seededBasic } from '../bench/madblog'
import { seedDatabase } from '../bench/seed'
import { openMigratedDatabase } from '../src/app'
import { appHarness, testConfig } from './helpers'

/**
 * The bench's floor (bench/floor.ts) is the least a Bun program can do to give madblog's reads: held here to
 * the same status, body and headers as madblog's, so a field or header madblog gains cannot leave it behind.
 */

const ROOT = join(import.meta.dir, '..')
let seeded: Awaited<ReturnType<typeof seedDatabase>>
let floor: ReturnType<typeof Bun.spawn>
let floorUrl: string
let harness: ReturnType<typeof appHarness>
let token: string

beforeAll(async () => {
  seeded = await seedDatabase(30, 45)
  const config = testConfig({ databasePath: seeded.path })
  harness = appHarness(config, openMigratedDatabase(config))
  const login = await harness.call('POST', '/api/tokens', { headers: { authorization: seededBasic(1) } })
  token = login.body.token
  // Port 0: the floor prints the address the kernel gave it.
  floor = Bun.spawn(['bun', join(ROOT, 'bench/floor.ts'), seeded.path, '0'], { stdout: 'pipe', stderr: 'inherit' })
  const reader = (floor.stdout as ReadableStream<Uint8Array>).getReader()
  let printed = ''
  while (!printed.includes('\n')) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`the floor stopped before listening: ${printed}`)
    printed += new TextDecoder().decode(value)
  }
  floorUrl = /listening on (\S+?)\/?\s/.exec(printed)![1]!
})

afterAll(() => {
  floor?.kill()
  rmSync(seeded.dir, { recursive: true, force: true })
})

/** What a client can see of an answer, the framing headers aside; a generated request id as its shape. */
async function seen(response: Response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'content-length'].includes(name)))
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(headers['x-request-id'] ?? '')) headers['x-request-id'] = 'a new UUID'
  return { status: response.status, headers, body: await response.text() }
}

test.each([
  ['/api/ping', false],
  ['/api/users/1', true],
  ['/api/users/2', true],
  ['/api/users/999', true],
  ['/api/users/abc', true],
  ['/api/users?per_page=20', true],
  ['/api/users?page=2&per_page=7', true],
  ['/api/users?page=abc&per_page=1000', true],
  ['/api/users/1', false],
  ['/api/posts', false],
  ['/api/posts?per_page=20', false],
  ['/api/posts?page=2&per_page=7', false],
  ['/api/posts?page=99', false],
])('%s (bearer: %p) is answered alike by the floor and madblog', async (path, bearer) => {
  for (const given of [{}, { 'x-request-id': 'trace-42' }] as Record<string, string>[]) {
    const headers: Record<string, string> = { ...given, ...(bearer ? { authorization: `Bearer ${token}` } : {}) }
    const madblog = await seen(await harness.app.handle(new Request(`http://localhost${path}`, { headers })))
    // The last_seen this read moved reaches the row the floor reads.
    await harness.app.store.deferredWrites.flush()
    const bare = await seen(await fetch(floorUrl + path, { headers }))
    expect(bare).toEqual(madblog)
  }
})
