/**
 * A Bun macro: it runs when the code is bundled (or transpiled by `bun run`), so the migrations in
 * `drizzle/` (SQLite) and `drizzle/pg/` (PostgreSQL) are inlined as data and the compiled binary needs no folder beside it.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface EmbeddedMigration {
  tag: string
  /** drizzle-kit's creation time; drizzle applies every migration newer than the last one recorded. */
  folderMillis: number
  hash: string
  sql: string[]
  bps: boolean
}

export function embeddedMigrations(engine: 'sqlite' | 'pg' = 'sqlite'): EmbeddedMigration[] {
  const folder = join(import.meta.dir, '../../drizzle', engine === 'pg' ? 'pg' : '')
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number; breakpoints: boolean }[]
  }
  return journal.entries.map(({ tag, when, breakpoints }) => {
    const query = readFileSync(join(folder, `${tag}.sql`), 'utf8')
    return {
      tag,
      folderMillis: when,
      hash: createHash('sha256').update(query).digest('hex'),
      sql: query.split('--> statement-breakpoint'),
      bps: breakpoints,
    }
  })
}
