import { expect, test } from 'bun:test'
import pkg from '../package.json'
import { loadConfig, settingWarnings } from '../src/config'

const file = (name: string) => Bun.file(new URL(`../${name}`, import.meta.url)).text()

test('compose.yaml: one madblog service on a named volume, checked by `madblog healthcheck` (readiness)', async () => {
  const compose = Bun.YAML.parse(await file('compose.yaml')) as any
  expect(Object.keys(compose.services)).toEqual(['madblog'])
  const madblog = compose.services.madblog
  expect(madblog.volumes).toEqual(['madblog-data:/data'])
  expect(Object.keys(compose.volumes)).toEqual(['madblog-data'])
  expect(madblog.ports).toEqual(['5000:5000'])
  expect(madblog.healthcheck.test).toEqual(['CMD', 'madblog', 'healthcheck'])
  expect(madblog.build.args.VERSION).toBe(pkg.version)
  // Its settings are real ones, with values madblog accepts.
  expect(settingWarnings(madblog.environment)).toEqual([])
  expect(() => loadConfig(madblog.environment)).not.toThrow()
})

test('the Dockerfile labels the image (org.opencontainers.image.*) and its HEALTHCHECK asks madblog itself', async () => {
  const dockerfile = await file('Dockerfile')
  for (const key of ['title', 'description', 'version', 'revision', 'base.name'])
    expect(dockerfile).toContain(`org.opencontainers.image.${key}=`)
  expect(dockerfile).toMatch(/^HEALTHCHECK .* CMD \["madblog", "healthcheck"\]$/m)
})
