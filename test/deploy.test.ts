import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { SETTING_NAMES, loadConfig } from '../src/config'

// No container engine runs compose here: the file is parsed, its structure checked against what madblog and
// the shipped HAProxy config need, and that config checked by HAProxy itself with the addresses compose gives it.
const DEPLOY = join(import.meta.dir, '../deploy')
type Service = {
  image?: string
  build?: string
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  volumes?: string[]
  ports?: string[]
}
const compose = Bun.YAML.parse(await Bun.file(join(DEPLOY, 'compose.yaml')).text()) as { services: Record<string, Service>; volumes: Record<string, unknown> }
const replicas = ['madblog1', 'madblog2', 'madblog3']

test('compose.yaml: PostgreSQL with a health check and a volume; three replicas that wait for it, each with a health check', () => {
  const { postgres } = compose.services
  expect(postgres?.image).toStartWith('docker.io/library/postgres:')
  expect(postgres?.healthcheck?.test.join(' ')).toContain('pg_isready')
  expect(postgres?.volumes).toEqual(['pgdata:/var/lib/postgresql/data'])
  expect(Object.keys(compose.volumes)).toEqual(['pgdata'])
  const { POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB } = postgres!.environment!
  for (const name of replicas) {
    const replica = compose.services[name]!
    expect(replica.build).toBe('..')
    expect(replica.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
    expect(replica.healthcheck?.test).toEqual(['CMD', 'madblog', 'healthcheck'])
    const environment = replica.environment!
    for (const setting of Object.keys(environment)) expect(SETTING_NAMES).toContain(setting as never)
    expect(environment.DATABASE_URL).toBe(`postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB}`)
    // Every value is one madblog accepts.
    expect(loadConfig(environment).postgres?.url).toBe(environment.DATABASE_URL)
  }
})

test('compose.yaml: HAProxy mounts the shipped config, names every replica on the port madblog listens on, waits for them healthy', async () => {
  const haproxy = compose.services.haproxy!
  expect(haproxy.volumes).toEqual(['./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro'])
  const port = loadConfig({}).port
  expect(replicas.map((_, i) => haproxy.environment![`MADBLOG_${i + 1}`])).toEqual(replicas.map((name) => `${name}:${port}`))
  expect(haproxy.depends_on).toEqual(Object.fromEntries(replicas.map((name) => [name, { condition: 'service_healthy' }])))
  expect(haproxy.ports).toEqual([`5000:${haproxy.environment!.MADBLOG_BIND!.slice(1)}`])
  const config = await Bun.file(join(DEPLOY, 'haproxy.cfg')).text()
  expect(config).toContain('timeout http-request')
  expect(config).toMatch(/^\s+maxconn \d+/m)
  // The compose names do not resolve here: loopback addresses stand in for them.
  const env = { ...process.env, MADBLOG_BIND: haproxy.environment!.MADBLOG_BIND, MADBLOG_1: '127.0.0.1:1', MADBLOG_2: '127.0.0.1:2', MADBLOG_3: '127.0.0.1:3' }
  const check = Bun.spawnSync(['haproxy', '-c', '-q', '-f', join(DEPLOY, 'haproxy.cfg')], { env })
  expect({ exit: check.exitCode, stderr: check.stderr.toString() }).toEqual({ exit: 0, stderr: '' })
})

test('the README shows deploy/haproxy.cfg as it is', async () => {
  const readme = await Bun.file(join(import.meta.dir, '../README.md')).text()
  const shown = /## Running several replicas[\s\S]*?```cfg\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(shown).toBe(await Bun.file(join(DEPLOY, 'haproxy.cfg')).text())
})
