/**
 * `bun run build`: one self-contained executable at dist/madblog. The migrations (a Bun macro) and the
 * browser assets (`with { type: 'file' }` imports) are embedded, so the file works copied alone anywhere.
 */
import { rmSync, statSync } from 'node:fs'

// `bun run build [outfile]`: the test suite builds into a folder of its own, never racing a build of dist/.
const outfile = process.argv[2] ?? 'dist/madblog'
if (outfile === 'dist/madblog') rmSync('dist', { recursive: true, force: true })

const result = await Bun.build({
  // The backup's worker is an entry point of its own: the binary carries it and `new Worker(new URL(...))` finds it.
  entrypoints: ['src/cli.ts', 'src/db/backup-worker.ts'],
  compile: { outfile },
  minify: true,
  // Precompiled bytecode skips parsing at start-up: the first answer comes sooner.
  bytecode: true,
  target: 'bun',
  format: 'esm',
})

if (!result.success) {
  for (const message of result.logs) console.error(message)
  process.exit(1)
}
const megabytes = (statSync(outfile).size / 1024 / 1024).toFixed(1)
console.log(`built ${outfile} (${megabytes} MB)`)
