import { expect, test } from 'bun:test'
import { SETTING_NAMES, loadConfig, settingWarnings } from '../src/config'
import { readme } from './readme'

test('the README settings table lists every setting with the default config.ts uses', () => {
  const rows = new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \|/gm)].map(([, name, value]) => [name!, value!]))
  expect([...rows.keys()].sort()).toEqual([...SETTING_NAMES].sort())
  // Each documented default, set explicitly, gives the same config as leaving the setting out.
  expect(loadConfig(Object.fromEntries(rows))).toEqual(loadConfig({}))
})

test('.env.example lists every setting once, with the default config.ts uses, and nothing else', async () => {
  const text = await Bun.file(new URL('../.env.example', import.meta.url)).text()
  const entries = text.split('\n').filter((line) => line.trim() && !line.startsWith('#')).map((line) => line.split(/=(.*)/s, 2) as [string, string])
  expect(entries.map(([name]) => name).sort()).toEqual([...SETTING_NAMES].sort())
  const settings = Object.fromEntries(entries)
  expect(loadConfig(settings)).toEqual(loadConfig({}))
  expect(settingWarnings(settings)).toEqual([])
})

test('the deployment notes give a proxy config that bounds slow clients, and HAProxy accepts it', async () => {
  const config = /```haproxy\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(config).toContain('timeout http-request')
  expect(config).toMatch(/^\s+maxconn \d+/m)
  const file = `${process.env.TMPDIR ?? '/tmp'}/madblog-readme-haproxy-${process.pid}.cfg`
  await Bun.write(file, config!)
  const check = Bun.spawnSync(['haproxy', '-c', '-q', '-f', file])
  expect({ exit: check.exitCode, stderr: check.stderr.toString() }).toEqual({ exit: 0, stderr: '' })
})
