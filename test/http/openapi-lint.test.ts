import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testApp } from '../helpers'
import { runTool } from '../tools'

// The linters read files: the served document is written to one, as a client would download it.
const folder = mkdtempSync(join(tmpdir(), 'madblog-openapi-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))
const { call } = testApp()
const documentPath = join(folder, 'openapi.json')
await Bun.write(documentPath, (await call('GET', '/swagger/json')).text)
// No telemetry and no update check: CI reaches nothing but the npm registry.
const redoclyEnv = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }

test('Spectral (spectral:oas, .spectral.yaml) finds nothing in /swagger/json', async () => {
  const { code, output } = runTool(['node_modules/.bin/spectral', 'lint', '--ruleset', '.spectral.yaml', '--fail-severity', 'hint', documentPath])
  expect(output).toContain('No results with a severity of')
  expect(code, output).toBe(0)
}, 60_000)

test('Redocly (recommended, redocly.yaml) finds neither error nor warning in /swagger/json', async () => {
  const { code, output } = runTool(['node_modules/.bin/redocly', 'lint', '--config', 'redocly.yaml', '--max-problems', '100', documentPath], redoclyEnv)
  expect(output).toContain('Your API description is valid')
  expect(output).not.toMatch(/warning/i)
  expect(code, output).toBe(0)
}, 60_000)
