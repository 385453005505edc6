import { expect, test } from 'bun:test'
import { SETTING_NAMES, loadConfig } from '../src/config'
import { readme } from './readme'

test('the README settings table lists every setting with the default config.ts uses', () => {
  const rows = new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \|/gm)].map(([, name, value]) => [name!, value!]))
  expect([...rows.keys()].sort()).toEqual([...SETTING_NAMES].sort())
  // Each documented default, set explicitly, gives the same config as leaving the setting out.
  expect(loadConfig(Object.fromEntries(rows))).toEqual(loadConfig({}))
})
