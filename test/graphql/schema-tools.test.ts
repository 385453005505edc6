import { afterAll, expect, test } from 'bun:test'
import { generate } from '@graphql-codegen/cli'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { typeDefs } from '../../src/graphql/typeDefs'
import { readmeOperations } from '../readme'

const root = new URL('../..', import.meta.url).pathname
// Inside the repository, so that the generated types typecheck with its TypeScript and settings.
const folder = mkdtempSync(join(root, 'test/graphql/.generated-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

async function run(command: string[]) {
  const child = Bun.spawn(['bun', ...command], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, output: `${stdout}${stderr}` }
}

test('graphql-schema-linter passes the schema (field-order rules off: fields are in reading order, id first)', async () => {
  const schemaPath = join(folder, 'schema.graphql')
  await Bun.write(schemaPath, typeDefs)
  const except = ['type-fields-sorted-alphabetically', 'input-object-fields-sorted-alphabetically']
  const { code, output } = await run(['node_modules/.bin/graphql-schema-linter', '--except', except.join(','), schemaPath])
  expect(code, output).toBe(0)
}, 60_000)

test('GraphQL Code Generator (typescript + typescript-operations) types every README operation, and the result typechecks', async () => {
  const operations = readmeOperations()
  expect(operations.length).toBeGreaterThanOrEqual(4)
  const output = join(folder, 'operations.ts')
  await generate(
    {
      schema: typeDefs,
      documents: operations,
      generates: { [output]: { plugins: ['typescript', 'typescript-operations'] } },
      // Every scalar must have a TypeScript type, or it silently becomes `any`.
      config: { strictScalars: true, scalars: { DateTime: 'string' } },
      silent: true,
    },
    true,
  )
  const generated = await Bun.file(output).text()
  expect(generated).toContain('export type Scalars')
  await Bun.write(join(folder, 'tsconfig.json'), JSON.stringify({ extends: join(root, 'tsconfig.json'), include: ['*.ts'], exclude: [] }))
  const typecheck = await run(['node_modules/typescript/bin/tsc', '--project', join(folder, 'tsconfig.json')])
  expect(typecheck.code, typecheck.output).toBe(0)
}, 60_000)
