import { join } from 'node:path'

/** The repository's root: tools run there, so they find node_modules and its settings files. */
export const ROOT = new URL('..', import.meta.url).pathname

/** A devDependency's CLI (or any script) run by Bun from the root; its exit code and everything it printed. */
export async function runTool(command: string[], env: Record<string, string | undefined> = process.env) {
  const child = Bun.spawn(['bun', ...command], { cwd: ROOT, env, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, output: `${stdout}${stderr}` }
}

/** Typechecks every .ts file in `folder` (inside the repository) with the project's own settings. */
export async function typecheck(folder: string) {
  await Bun.write(join(folder, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), include: ['*.ts'], exclude: [] }))
  return runTool(['node_modules/typescript/bin/tsc', '--project', join(folder, 'tsconfig.json')])
}
