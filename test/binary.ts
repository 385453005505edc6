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

export interface Outcome {
  code: number
  stdout: string
  stderr: string
}

/** Only what a user's shell would surely have, plus the given settings. */
export const bareEnvironment = (home: string, settings: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  ...settings,
})

/** Runs the binary to its end in `cwd` with a bare environment plus `settings`; `stdin` is piped in if given. */
export async function runBinary(args: string[], cwd: string, settings: Record<string, string> = {}, stdin?: string): Promise<Outcome> {
  const { binary } = await compiledBinary()
  const child = Bun.spawn([binary, ...args], {
    cwd,
    env: bareEnvironment(cwd, settings),
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()])
  return { code, stdout, stderr }
}

/** `madblog serve` on a kernel-picked port, once its start-up line names it; `stop()` sends SIGTERM and waits. */
export async function serveBinary(cwd: string, settings: Record<string, string>) {
  const { binary } = await compiledBinary()
  const child = Bun.spawn([binary, 'serve'], {
    cwd,
    // info, for the start-up line that names the port; PORT=0 lets the kernel pick a free one.
    env: bareEnvironment(cwd, { ...settings, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  process.on('exit', () => child.kill('SIGKILL'))
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  let seen = ''
  let port: number | undefined
  while (port === undefined) {
    const chunk = await reader.read()
    if (chunk.done) throw new Error(`serve exited ${await child.exited}: ${seen}${await new Response(child.stderr).text()}`)
    seen += decoder.decode(chunk.value, { stream: true })
    const match = / listening on http:\/\/127\.0\.0\.1:(\d+) /.exec(seen)
    if (match) port = Number(match[1])
  }
  // Drained to the end, or request lines would fill the pipe and stall the server.
  void (async () => {
    while (!(await reader.read()).done);
  })()
  return {
    base: `http://127.0.0.1:${port}`,
    log: () => seen,
    async stop() {
      child.kill('SIGTERM')
      return child.exited
    },
  }
}
