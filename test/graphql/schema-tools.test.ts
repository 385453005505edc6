import { afterAll, expect, test } from 'bun:test'
import { generate } from '@graphql-codegen/cli'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { typeDefs } from '../../src/graphql/typeDefs'
import { readmeOperations } from '../readme'
import { ROOT, runTool, typecheck } from '../tools'

// Inside the repository, so that the generated types typecheck with its TypeScript and settings.
const folder = mkdtempSync(join(ROOT, 'test/graphql/.generated-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

test('graphql-schema-linter passes the schema (field-order rules off: fields are in reading order, id first)', async () => {
  const schemaPath = join(folder, 'schema.graphql')
  await Bun.write(schemaPath, typeDefs)
  const except = ['type-fields-sorted-alphabetically', 'input-object-fields-sorted-alphabetically']
  const { code, output } = runTool(['node_modules/.bin/graphql-schema-linter', '--except', except.join(','), schemaPath])
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
  const checked = await typecheck(folder)
  expect(checked.code, checked.output).toBe(0)
}, 60_000)
