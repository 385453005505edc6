/**
 * The compiled binary, built once per test run (`bun run build` into a fresh temporary folder, about 10 s) and
 * shared by every file that runs it, alone, as a user would.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const REPO = join(import.meta.dir, '..')
let built: Promise<{ folder: string; binary: string }> | undefined

/** The binary's path, alone in its folder; the first call builds it. */
export function compiledBinary(): Promise<{ folder: string; binary: string }> {
  built ??= (async () => {
    const folder = mkdtempSync(join(tmpdir(), 'madblog-binary-'))
    const binary = join(folder, 'madblog')
    process.on('exit', () => rmSync(folder, { recursive: true, force: true }))
    // Built straight into the empty folder: the same file as dist/madblog, without racing another build of dist/.
    const build = Bun.spawn(['bun', 'run', 'build', binary], { cwd: REPO, stdout: 'pipe', stderr: 'pipe' })
    if ((await build.exited) !== 0) throw new Error(`bun run build failed:\n${await new Response(build.stderr).text()}`)
    return { folder, binary }
  })()
  return built
}
