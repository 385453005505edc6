/**
 * A Bun macro: it runs when the code is bundled (or transpiled by `bun run`), so the migrations in
 * `drizzle/` are inlined as data and the compiled binary needs no folder beside it.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface EmbeddedMigration {
  tag: string
  /** drizzle-kit's creation time; drizzle applies every migration newer than the last one recorded. */
  folderMillis: number
  hash: string
  sql: string[]
  bps: boolean
  /** The hand-written `<tag>.down.sql` that reverts it, split the same way; null when there is none. */
  down: string[] | null
  /** Tables or `table.column`s the down drops that the up rebuilds from other data (`-- derived:` lines). */
  derived: string[]
}

const BREAKPOINT = '--> statement-breakpoint'

/** `-- derived: users.username_key, users.email_key (why)` lines of a down file, as a list of names. */
const derivedNames = (query: string) =>
  [...query.matchAll(/^--\s*derived:\s*([\w.]+(?:\s*,\s*[\w.]+)*)/gm)].flatMap((match) => match[1]!.split(',').map((name) => name.trim()))

/** drizzle/ holds SQLite's migrations, drizzle/pg/ PostgreSQL's. */
export function embeddedMigrations(engine: 'sqlite' | 'pg' = 'sqlite'): EmbeddedMigration[] {
  const folder = join(import.meta.dir, '../../drizzle', engine === 'pg' ? 'pg' : '')
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number; breakpoints: boolean }[]
  }
  return journal.entries.map(({ tag, when, breakpoints }) => {
    const query = readFileSync(join(folder, `${tag}.sql`), 'utf8')
    const downPath = join(folder, `${tag}.down.sql`)
    const down = existsSync(downPath) ? readFileSync(downPath, 'utf8') : null
    return {
      tag,
      folderMillis: when,
      hash: createHash('sha256').update(query).digest('hex'),
      sql: query.split(BREAKPOINT),
      bps: breakpoints,
      down: down === null ? null : down.split(BREAKPOINT),
      derived: down === null ? [] : derivedNames(down),
    }
  })
}
