/** The only reader of the environment: every setting, its default, and its validation. */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
/** `text` for people, `json` (one object per line) for log collectors. */
export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/**
 * SQLite's `synchronous`: FULL syncs the WAL on every commit, so an acknowledged write survives a power cut;
 * NORMAL syncs only at checkpoints (still consistent after a crash, but the last commits may be lost).
 * OFF is refused: a crash could then corrupt the file.
 */
export const SYNCHRONOUS_MODES = ['FULL', 'NORMAL'] as const
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number]

export interface PasswordHashing {
  /** argon2id memory in KiB and passes; tests lower them, production keeps Bun's defaults. */
  memoryCost: number
  timeCost: number
}

export interface Config {
  port: number
  host: string
  /** A filesystem path or `:memory:` (SQLite); unused when `postgres` is set. */
  databasePath: string
  /** Set when DATABASE_URL is a postgres:// or postgresql:// URL: the engine, shared by every replica. */
  postgres?: PostgresSettings
  sqliteSynchronous: SynchronousMode
  /** Where `migrate` puts the backup it takes first; relative to the database's folder. */
  backupDir: string
  tokenTtlSeconds: number
  maxBodyBytes: number
  /** `*` or an explicit list of allowed origins. */
  corsOrigins: '*' | string[]
  logLevel: LogLevel
  logFormat: LogFormat
  passwordHashing: PasswordHashing
  hashQueue: HashQueueSettings
  rateLimits: RateLimitSettings
  /** X-Forwarded-For entries appended by trusted proxies; 0 ignores the header and uses the socket's address. */
  trustProxyHops: number
  graphql: GraphqlSettings
  /** How long a stop waits for in-flight requests before cutting their connections. */
  shutdownGraceSeconds: number
  /** The port of the second listener that serves Prometheus metrics (on HOST); undefined: no metrics at all. */
  metricsPort: number | undefined
}

/** The PostgreSQL connection pool and the bounds on how long any wait for the database may last. */
export interface PostgresSettings {
  url: string
  poolMax: number
  connectTimeoutSeconds: number
  statementTimeoutSeconds: number
  /** How long any query or transaction of a request may take, client-side, before it is 503 and its connection dropped. */
  queryTimeoutSeconds: number
  /** How long start-up waits for the server to answer before it stops. */
  startupWaitSeconds: number
}

/** How many argon2id operations (64 MiB each) run at once, and how many may wait for a turn before 503. */
export interface HashQueueSettings {
  concurrency: number
  maxWaiting: number
}

/** Brute-force limits, counted per client address and, for logins, per username. */
export interface RateLimitSettings {
  loginWindowSeconds: number
  loginMaxFailures: number
  loginMaxFailuresPerAddress: number
  /** 0 turns the registration limit off. */
  registerMaxPerHour: number
}

/** Limits every GraphQL document must pass before it runs, and whether the schema may be explored. */
export interface GraphqlSettings {
  maxDepth: number
  maxAliases: number
  maxTokens: number
  maxCost: number
  maxDirectives: number
  /** Operations in one batched (array) request. */
  maxBatch: number
  /** Introspection and the GraphiQL playground; when off, error messages stop suggesting field names. */
  introspection: boolean
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>

const DEFAULTS = {
  PORT: '5000',
  HOST: '127.0.0.1',
  DATABASE_URL: './data/madblog.db',
  SQLITE_SYNCHRONOUS: 'FULL',
  PG_POOL_MAX: '10',
  PG_CONNECT_TIMEOUT_SECONDS: '5',
  PG_STATEMENT_TIMEOUT_SECONDS: '10',
  PG_QUERY_TIMEOUT_SECONDS: '5',
  PG_STARTUP_WAIT_SECONDS: '30',
  BACKUP_DIR: '.',
  TOKEN_TTL_SECONDS: '3600',
  MAX_BODY_BYTES: String(1024 * 1024),
  CORS_ORIGINS: '*',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'text',
  PASSWORD_HASH_CONCURRENCY: '4',
  PASSWORD_HASH_QUEUE: '64',
  LOGIN_WINDOW_SECONDS: '900',
  LOGIN_MAX_FAILURES: '10',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '100',
  REGISTER_MAX_PER_HOUR: '100',
  TRUST_PROXY: 'false',
  GRAPHQL_MAX_DEPTH: '15',
  GRAPHQL_MAX_ALIASES: '15',
  GRAPHQL_MAX_TOKENS: '1000',
  GRAPHQL_MAX_COST: '5000',
  GRAPHQL_MAX_DIRECTIVES: '10',
  GRAPHQL_MAX_BATCH: '10',
  GRAPHQL_INTROSPECTION: 'true',
  SHUTDOWN_GRACE_SECONDS: '8',
  METRICS_PORT: 'off',
} as const

/** Every setting's name, for the CLI's help. */
export const SETTING_NAMES = Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`: three rows of the table at a time. */
function editDistance(a: string, b: string): number {
  let [before, previous, row] = [new Uint16Array(b.length + 1), Uint16Array.from({ length: b.length + 1 }, (_, j) => j), new Uint16Array(b.length + 1)]
  for (let i = 1; i <= a.length; i++) {
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, before[j - 2]! + 1)
    }
    ;[before, previous, row] = [previous, row, before]
  }
  return previous[b.length]!
}

const squeeze = (name: string) => name.toUpperCase().replace(/_/g, '')

/**
 * The setting `name` was most likely meant to be, if it looks like a mistyped one: MADBLOG_-prefixed, the same
 * letters in another case or without underscores (LOGLEVEL), a setting's leading words (TOKEN_TTL), or a typo
 * or two away (PROT). Anything else in the environment (PATH, HOME, HOSTNAME) is someone else's.
 */
function meantSetting(name: string): string | undefined {
  if ((SETTING_NAMES as readonly string[]).includes(name)) return undefined
  const prefixed = name.toUpperCase().startsWith('MADBLOG_')
  const bare = name.toUpperCase().replace(/^MADBLOG_/, '')
  if (squeeze(bare).length < 3) return undefined
  // A single word (TOKEN, LOG) is too common a name to claim by its start; two or more words are not.
  const alike =
    SETTING_NAMES.find((setting) => squeeze(setting) === squeeze(bare)) ??
    (prefixed || bare.includes('_') ? SETTING_NAMES.find((setting) => squeeze(setting).startsWith(squeeze(bare))) : undefined)
  if (alike) return alike
  // No edit count is below the difference in length, and an unprefixed name counts only within two: the other
  // settings need no comparing (every variable of the environment is checked at each start).
  const near = prefixed ? SETTING_NAMES : SETTING_NAMES.filter((setting) => Math.abs(setting.length - bare.length) <= 2)
  const [nearest] = near.map((setting) => ({ setting, distance: editDistance(bare, setting) })).sort((x, y) => x.distance - y.distance)
  if (!nearest) return undefined
  return prefixed || nearest.distance <= (nearest.setting.length <= 5 ? 1 : 2) ? nearest.setting : undefined
}

/** One line for each variable that looks like a mistyped setting: it is ignored, and start-up goes on. */
export function settingWarnings(env: Env = process.env): string[] {
  return Object.keys(env).flatMap((name) => {
    const meant = meantSetting(name)
    return meant ? [`${name} is not a madblog setting and is ignored (set in the environment or .env): did you mean ${meant}?`] : []
  })
}

function setting(env: Env, name: keyof typeof DEFAULTS): string {
  const value = env[name]?.trim()
  return value ? value : DEFAULTS[name]
}

function integer(env: Env, name: keyof typeof DEFAULTS, min: number, max: number): number {
  const raw = setting(env, name)
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
  return value
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i

function postgres(env: Env): PostgresSettings | undefined {
  const url = setting(env, 'DATABASE_URL')
  if (!POSTGRES_URL.test(url)) return undefined
  if (!URL.canParse(url) || !new URL(url).hostname) throw new ConfigError('DATABASE_URL is not a valid postgres:// URL')
  return {
    url,
    poolMax: integer(env, 'PG_POOL_MAX', 1, 1000),
    connectTimeoutSeconds: integer(env, 'PG_CONNECT_TIMEOUT_SECONDS', 1, 600),
    statementTimeoutSeconds: integer(env, 'PG_STATEMENT_TIMEOUT_SECONDS', 1, 3600),
    queryTimeoutSeconds: integer(env, 'PG_QUERY_TIMEOUT_SECONDS', 1, 3600),
    startupWaitSeconds: integer(env, 'PG_STARTUP_WAIT_SECONDS', 0, 3600),
  }
}

/** Accepts a plain path, `sqlite:path`, `sqlite://path`, `file:path` or `:memory:`. */
export function parseDatabaseUrl(raw: string): string {
  const path = raw.replace(/^(sqlite|file):(\/\/)?/, '')
  if (path === '') throw new ConfigError(`DATABASE_URL must name a file or :memory:, got "${raw}"`)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    throw new ConfigError(`DATABASE_URL must be a SQLite path or sqlite: URL, got "${raw}"`)
  return path
}

function corsOrigins(raw: string): Config['corsOrigins'] {
  if (raw === '*') return '*'
  const origins = raw.split(',').map((origin) => origin.trim()).filter(Boolean)
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin)
      throw new ConfigError(`CORS_ORIGINS must be * or a comma-separated list of origins, got "${origin}"`)
  }
  return origins
}

const BOOLEANS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false }

function boolean(env: Env, name: keyof typeof DEFAULTS): boolean {
  const raw = setting(env, name)
  const value = BOOLEANS[raw.toLowerCase()]
  if (value === undefined) throw new ConfigError(`${name} must be true or false, got "${raw}"`)
  return value
}

/** `true` trusts one proxy (the right-most X-Forwarded-For entry), a number that many; `false` or 0 none. */
function trustProxyHops(env: Env): number {
  const raw = setting(env, 'TRUST_PROXY')
  const flag = BOOLEANS[raw.toLowerCase()]
  if (flag !== undefined) return flag ? 1 : 0
  if (/^\d+$/.test(raw) && Number(raw) <= 10) return Number(raw)
  throw new ConfigError(`TRUST_PROXY must be true, false or a number of proxies from 0 to 10, got "${raw}"`)
}

function synchronousMode(raw: string): SynchronousMode {
  const mode = raw.toUpperCase()
  if (!(SYNCHRONOUS_MODES as readonly string[]).includes(mode))
    throw new ConfigError(`SQLITE_SYNCHRONOUS must be FULL or NORMAL, got "${raw}"`)
  return mode as SynchronousMode
}

function logLevel(raw: string): LogLevel {
  const level = raw.toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`)
  return level as LogLevel
}

function logFormat(raw: string): LogFormat {
  const format = raw.toLowerCase()
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new ConfigError(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got "${raw}"`)
  return format as LogFormat
}

/** `off`, or a port other than PORT's (0 picks a free one): metrics never share the public listener. */
function metricsPort(env: Env, port: number): number | undefined {
  if (setting(env, 'METRICS_PORT').toLowerCase() === 'off') return undefined
  const metrics = integer(env, 'METRICS_PORT', 0, 65535)
  if (metrics !== 0 && metrics === port) throw new ConfigError(`METRICS_PORT must differ from PORT (${port}): metrics are never served on the public port`)
  return metrics
}

export function loadConfig(env: Env = process.env): Config {
  const pg = postgres(env)
  const port = integer(env, 'PORT', 0, 65535)
  return {
    port,
    host: setting(env, 'HOST'),
    databasePath: pg ? '' : parseDatabaseUrl(setting(env, 'DATABASE_URL')),
    ...(pg ? { postgres: pg } : {}),
    sqliteSynchronous: synchronousMode(setting(env, 'SQLITE_SYNCHRONOUS')),
    backupDir: setting(env, 'BACKUP_DIR'),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 60, 60 * 60 * 24 * 365),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1024, 64 * 1024 * 1024),
    corsOrigins: corsOrigins(setting(env, 'CORS_ORIGINS')),
    logLevel: logLevel(setting(env, 'LOG_LEVEL')),
    logFormat: logFormat(setting(env, 'LOG_FORMAT')),
    passwordHashing: { memoryCost: 65536, timeCost: 2 },
    hashQueue: {
      concurrency: integer(env, 'PASSWORD_HASH_CONCURRENCY', 1, 64),
      maxWaiting: integer(env, 'PASSWORD_HASH_QUEUE', 0, 100_000),
    },
    rateLimits: {
      loginWindowSeconds: integer(env, 'LOGIN_WINDOW_SECONDS', 1, 24 * 60 * 60),
      loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 1, 100_000),
      loginMaxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 1, 1_000_000),
      registerMaxPerHour: integer(env, 'REGISTER_MAX_PER_HOUR', 0, 1_000_000),
    },
    trustProxyHops: trustProxyHops(env),
    graphql: {
      maxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 1, 100),
      maxAliases: integer(env, 'GRAPHQL_MAX_ALIASES', 0, 1000),
      maxTokens: integer(env, 'GRAPHQL_MAX_TOKENS', 10, 100_000),
      maxCost: integer(env, 'GRAPHQL_MAX_COST', 1, 1_000_000),
      maxDirectives: integer(env, 'GRAPHQL_MAX_DIRECTIVES', 0, 1000),
      maxBatch: integer(env, 'GRAPHQL_MAX_BATCH', 1, 100),
      introspection: boolean(env, 'GRAPHQL_INTROSPECTION'),
    },
    shutdownGraceSeconds: integer(env, 'SHUTDOWN_GRACE_SECONDS', 0, 3600),
    metricsPort: metricsPort(env, port),
  }
}
