import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig, parseDatabaseUrl, settingWarnings } from '../src/config'

describe('loadConfig', () => {
  test('defaults match the tutorial: port 5000 on localhost, a SQLite file', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 5000,
      host: '127.0.0.1',
      databasePath: './data/madblog.db',
      tokenTtlSeconds: 3600,
      maxBodyBytes: 1024 * 1024,
      corsOrigins: '*',
      logLevel: 'info',
    })
  })

  test('reads every setting', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:///data/x.db',
      TOKEN_TTL_SECONDS: '60',
      MAX_BODY_BYTES: '2048',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:3000',
      LOG_LEVEL: 'ERROR',
    })
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/data/x.db',
      tokenTtlSeconds: 60,
      maxBodyBytes: 2048,
      corsOrigins: ['https://a.example.com', 'http://localhost:3000'],
      logLevel: 'error',
    })
  })

  test('brute-force limits, hashing bounds and proxy trust: safe defaults, each read from the environment', () => {
    expect(loadConfig({})).toMatchObject({
      hashQueue: { concurrency: 4, maxWaiting: 64 },
      rateLimits: { loginWindowSeconds: 900, loginMaxFailures: 10, loginMaxFailuresPerAddress: 100, registerMaxPerHour: 100 },
      trustProxyHops: 0,
    })
    const config = loadConfig({
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '0',
      LOGIN_WINDOW_SECONDS: '60',
      LOGIN_MAX_FAILURES: '5',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '50',
      REGISTER_MAX_PER_HOUR: '0',
      TRUST_PROXY: 'true',
    })
    expect(config).toMatchObject({
      hashQueue: { concurrency: 1, maxWaiting: 0 },
      rateLimits: { loginWindowSeconds: 60, loginMaxFailures: 5, loginMaxFailuresPerAddress: 50, registerMaxPerHour: 0 },
      trustProxyHops: 1,
    })
  })

  test.each([
    ['false', 0],
    ['no', 0],
    ['0', 0],
    ['YES', 1],
    ['1', 1],
    ['2', 2],
  ])('TRUST_PROXY=%p trusts %p proxies', (value, hops) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxyHops).toBe(hops)
  })

  test('a stop waits SHUTDOWN_GRACE_SECONDS (8, under Docker\'s 10 s before SIGKILL) for in-flight requests', () => {
    expect(loadConfig({}).shutdownGraceSeconds).toBe(8)
    expect(loadConfig({}).postgres).toBeUndefined()
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db:5432/blog' }).postgres).toMatchObject({ url: 'postgresql://u@db:5432/blog', poolMax: 10 })
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x', PG_POOL_MAX: '0' })).toThrow(/^PG_POOL_MAX must be a whole number from 1 to 1000/)
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).postgres?.queryTimeoutSeconds).toBe(5)
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', PG_QUERY_TIMEOUT_SECONDS: '2' }).postgres?.queryTimeoutSeconds).toBe(2)
    for (const bad of ['0', '1.5', '3601'])
      expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x', PG_QUERY_TIMEOUT_SECONDS: bad })).toThrow(
        new ConfigError(`PG_QUERY_TIMEOUT_SECONDS must be a whole number from 1 to 3600, got "${bad}"`),
      )
    expect(loadConfig({ SHUTDOWN_GRACE_SECONDS: '30' }).shutdownGraceSeconds).toBe(30)
  })

  test('SQLite keeps every acknowledged write (FULL) unless SQLITE_SYNCHRONOUS=NORMAL trades that for speed; OFF is refused', () => {
    expect(loadConfig({}).sqliteSynchronous).toBe('FULL')
    expect(loadConfig({ SQLITE_SYNCHRONOUS: 'normal' }).sqliteSynchronous).toBe('NORMAL')
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'OFF' })).toThrow(new ConfigError('SQLITE_SYNCHRONOUS must be FULL or NORMAL, got "OFF"'))
  })

  test.each([
    ['PORT', 'abc', /^PORT must be a whole number from 0 to 65535, got "abc"$/],
    ['PORT', '70000', /^PORT/],
    ['TOKEN_TTL_SECONDS', '-5', /^TOKEN_TTL_SECONDS/],
    ['MAX_BODY_BYTES', '1e6', /^MAX_BODY_BYTES/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL must be one of debug, info, warn, error/],
    ['CORS_ORIGINS', 'not a url', /^CORS_ORIGINS/],
    ['CORS_ORIGINS', 'https://a.example.com/path', /^CORS_ORIGINS/],
    ['DATABASE_URL', 'mysql://db/x', /^DATABASE_URL/],
    ['DATABASE_URL', 'postgres://', /^DATABASE_URL is not a valid postgres:\/\/ URL$/],
    ['PASSWORD_HASH_CONCURRENCY', '0', /^PASSWORD_HASH_CONCURRENCY must be a whole number from 1 to 64, got "0"$/],
    ['PASSWORD_HASH_QUEUE', '-1', /^PASSWORD_HASH_QUEUE/],
    ['LOGIN_WINDOW_SECONDS', '0', /^LOGIN_WINDOW_SECONDS/],
    ['LOGIN_MAX_FAILURES', '0', /^LOGIN_MAX_FAILURES must be/],
    ['LOGIN_MAX_FAILURES_PER_ADDRESS', 'many', /^LOGIN_MAX_FAILURES_PER_ADDRESS/],
    ['REGISTER_MAX_PER_HOUR', '1.5', /^REGISTER_MAX_PER_HOUR/],
    ['TRUST_PROXY', 'maybe', /^TRUST_PROXY must be true, false or a number of proxies from 0 to 10, got "maybe"$/],
    ['TRUST_PROXY', '11', /^TRUST_PROXY/],
    ['SHUTDOWN_GRACE_SECONDS', '3601', /^SHUTDOWN_GRACE_SECONDS must be a whole number from 0 to 3600, got "3601"$/],
  ])('%s=%p stops start-up with one line naming the setting', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })

  test.each([
    ['./data/madblog.db', './data/madblog.db'],
    ['sqlite:madblog.db', 'madblog.db'],
    ['sqlite:///var/lib/madblog.db', '/var/lib/madblog.db'],
    ['file:/tmp/x.db', '/tmp/x.db'],
    [':memory:', ':memory:'],
    ['sqlite::memory:', ':memory:'],
  ])('DATABASE_URL %p is the path %p', (raw, path) => {
    expect(parseDatabaseUrl(raw)).toBe(path)
  })
})

describe('settingWarnings', () => {
  test('a misspelt or MADBLOG_-looking name gets one line naming the nearest setting', () => {
    const meant = (name: string) => settingWarnings({ [name]: '1' }).map((line) => /did you mean (\w+)\?$/.exec(line)?.[1])
    expect(meant('PROT')).toEqual(['PORT'])
    expect(meant('TOKEN_TTL')).toEqual(['TOKEN_TTL_SECONDS'])
    expect(meant('LOGLEVEL')).toEqual(['LOG_LEVEL'])
    expect(meant('log_level')).toEqual(['LOG_LEVEL'])
    expect(meant('CORS_ORIGIN')).toEqual(['CORS_ORIGINS'])
    expect(meant('MADBLOG_PORT')).toEqual(['PORT'])
    expect(meant('MADBLOG_TOKENTTL')).toEqual(['TOKEN_TTL_SECONDS'])
    expect(settingWarnings({ PROT: '5000' })).toEqual([
      'PROT is not a madblog setting and is ignored (set in the environment or .env): did you mean PORT?',
    ])
  })

  test('settings themselves and everybody else’s variables get none', () => {
    const others = ['PATH', 'HOME', 'HOSTNAME', 'TERM', 'USER', 'SHELL', 'PWD', 'LANG', 'TZ', 'HTTP_PROXY', 'NO_PROXY', 'CI', 'TOKEN', 'LOG', 'DATABASE', '_', 'NODE_ENV', 'TMPDIR']
    expect(settingWarnings(Object.fromEntries([...others, 'PORT', 'TOKEN_TTL_SECONDS', 'LOG_LEVEL'].map((name) => [name, 'x'])))).toEqual([])
  })
})
