import { join } from 'node:path'

/** The repository's root: tools run there, so they find node_modules and its settings files. */
export const ROOT = new URL('..', import.meta.url).pathname

/**
 * A devDependency's CLI (or any script) run by Bun from the root; its exit code and everything it printed.
 * Synchronous: under `bun test` (Bun 1.4.5), a test that awaited some of these CLIs (Spectral, Redocly) as
 * async children at times never completed, though the child had exited and the test's last line had run.
 */
export function runTool(command: string[], env: Record<string, string | undefined> = process.env) {
  const child = Bun.spawnSync(['bun', ...command], { cwd: ROOT, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  return { code: child.exitCode, output: `${child.stdout.toString()}${child.stderr.toString()}` }
}

/** Typechecks every .ts file in `folder` (inside the repository) with the project's own settings. */
export async function typecheck(folder: string) {
  await Bun.write(join(folder, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), include: ['*.ts'], exclude: [] }))
  return runTool(['node_modules/typescript/bin/tsc', '--project', join(folder, 'tsconfig.json')])
}
