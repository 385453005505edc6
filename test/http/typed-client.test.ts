import { afterAll, expect, test } from 'bun:test'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { testApp } from '../helpers'
import { runTool, typecheck } from '../tools'

const fixture = join(import.meta.dir, 'typed-client')
// Inside the repository, so that the program resolves openapi-fetch from node_modules.
const folder = mkdtempSync(join(fixture, '.generated-'))
const harness = testApp()
const server = harness.app.listen({ port: 0, hostname: '127.0.0.1' }).server!
afterAll(async () => {
  await harness.app.stop()
  rmSync(folder, { recursive: true, force: true })
})

test('a client generated from /swagger/json by openapi-typescript typechecks a program that runs against madblog', async () => {
  const documentPath = join(folder, 'openapi.json')
  await Bun.write(documentPath, await (await fetch(`${server.url}swagger/json`)).text())
  const generated = runTool(['node_modules/.bin/openapi-typescript', documentPath, '--output', join(folder, 'schema.d.ts')])
  expect(generated.code, generated.output).toBe(0)

  copyFileSync(join(fixture, 'program.ts'), join(folder, 'program.ts'))
  const checked = await typecheck(folder)
  expect(checked.code, checked.output).toBe(0)

  const { registerLogInListUpdate } = await import(join(folder, 'program.ts'))
  expect(await registerLogInListUpdate(server.url.origin)).toEqual({
    location: '/api/users/1',
    listed: ['typed'],
    total: 1,
    email: 'typed@gmail.com',
  })
}, 60_000)
