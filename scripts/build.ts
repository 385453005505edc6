/**
 * `bun run build`: one self-contained executable at dist/madblog. The migrations (a Bun macro) and the
 * browser assets (`with { type: 'file' }` imports) are embedded, so the file works copied alone anywhere.
 */
import type { BunPlugin } from 'bun'
import { existsSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'

// `bun run build [outfile]`: the test suite builds into a folder of its own, never racing a build of dist/.
const outfile = process.argv[2] ?? 'dist/madblog'
if (outfile === 'dist/madblog') rmSync('dist', { recursive: true, force: true })

const GRAPHQL = dirname(Bun.resolveSync('graphql/package.json', import.meta.dir))

/**
 * One copy of graphql-js in the binary: graphql-jit's files reach for its CommonJS build, yoga for its ES one,
 * and two copies would each fail the other's `instanceof` checks (which production mode trusts blindly).
 * `bun run` already loads one copy; the bundler needs telling.
 */
const oneGraphql: BunPlugin = {
  name: 'one-graphql',
  setup(build) {
    build.onResolve({ filter: /^graphql(\/.*)?$/ }, ({ path }) => {
      const module = join(GRAPHQL, path.slice('graphql'.length).replace(/\.m?js$/, ''))
      return { path: existsSync(`${module}.mjs`) ? `${module}.mjs` : join(module, 'index.mjs') }
    })
  },
}

const result = await Bun.build({
  // The backup's worker is an entry point of its own: the binary carries it and `new Worker(new URL(...))` finds it.
  entrypoints: ['src/cli.ts', 'src/db/backup-worker.ts'],
  compile: { outfile },
  minify: true,
  // Precompiled bytecode skips parsing at start-up: the first answer comes sooner.
  bytecode: true,
  target: 'bun',
  format: 'esm',
  // graphql-js skips its development checks (several µs a request) only in production.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  plugins: [oneGraphql],
})

if (!result.success) {
  for (const message of result.logs) console.error(message)
  process.exit(1)
}
const megabytes = (statSync(outfile).size / 1024 / 1024).toFixed(1)
console.log(`built ${outfile} (${megabytes} MB)`)
