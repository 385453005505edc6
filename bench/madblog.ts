import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SEED_PASSWORD, seedUsername } from './seed'

const ROOT = join(import.meta.dir, '..')
const BINARY = join(ROOT, 'dist/madblog')
// What the binary is built from: a change to any of these makes dist/madblog stale.
const BUILD_INPUTS = ['src', 'drizzle', 'scripts/build.ts', 'package.json', 'bun.lock']

function newestChange(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))))
}

/**
 * The madblog that bench and soak measure: dist/madblog, the shipped artifact, built first when missing or
 * older than its sources (a stale binary would measure old code); the sources only when asked (`--source`).
 */
export function madblogCommand(source: boolean): { command: string[]; target: string } {
  if (source) return { command: ['bun', join(ROOT, 'src/cli.ts'), 'serve'], target: 'source (bun src/cli.ts)' }
  const inputs = BUILD_INPUTS.map((path) => join(ROOT, path)).filter(existsSync)
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < Math.max(...inputs.map(newestChange))) {
    console.log(`${existsSync(BINARY) ? 'dist/madblog is older than its sources' : 'no dist/madblog yet'}: bun run build...`)
    const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: ROOT, stdout: 'ignore', stderr: 'inherit' })
    if (build.exitCode !== 0 || !existsSync(BINARY)) throw new Error('bun run build failed (its output is above); --source measures the source instead')
  }
  return { command: [BINARY, 'serve'], target: 'binary (dist/madblog)' }
}

/**
 * madblog's settings under load: every request comes from 127.0.0.1 and logs in as a few users, so the
 * brute-force limits (which count a login as failed while it is in flight) would answer 429 to a workload that
 * is no attack; one log line per request would measure the terminal.
 */
export function loadTestEnv(port: number, databasePath: string): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databasePath,
    LOG_LEVEL: 'warn',
    REGISTER_MAX_PER_HOUR: '0',
    LOGIN_MAX_FAILURES: '100000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
  }
}

/** `Authorization: Basic` for seeded user `n`. */
export const seededBasic = (n: number) => `Basic ${Buffer.from(`${seedUsername(n)}:${SEED_PASSWORD}`).toString('base64')}`

/** Logs seeded user `n` in once, before the load, and returns the bearer token. */
export async function logIn(base: string, n: number): Promise<string> {
  const response = await fetch(`${base}/api/tokens`, { method: 'POST', headers: { authorization: seededBasic(n) } })
  if (response.status !== 200) throw new Error(`login of ${seedUsername(n)}: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { token: string }).token
}
