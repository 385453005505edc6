import { Elysia } from 'elysia'
import pkg from '../package.json'
import type { Config } from './config'
import { openDatabase, type DatabaseHandle } from './db/client'
import { describeCollision } from './db/identity-keys'
import { migrate } from './db/migrate'
import type { PostgresDatabase } from './db/pg/open'
import { sqliteStore } from './db/store'
import { createGraphqlServer } from './graphql'
import { bodyLimit } from './http/body-limit'
import { clientAddresses } from './http/client-address'
import { corsPolicy } from './http/cors'
import { apiDocs } from './http/docs'
import { errorHandling } from './http/errors'
import { graphqlController } from './http/graphql'
import { pingController } from './http/ping'
import { postsController } from './http/posts'
import { requestLog } from './http/request-log'
import { securityHeaders } from './http/security-headers'
import { tokensController } from './http/tokens'
import { usersController } from './http/users'
import { createLogger, type Logger } from './log'
import { createServices, type ServiceDependencies } from './services'

export const VERSION = pkg.version
const PRUNE_INTERVAL_MS = 60_000

/**
 * Opens and migrates the configured database: what `createApp` does when not handed one. Accounts that share
 * an identity with an older one are warned about at every start until they are settled.
 */
export function openMigratedDatabase(config: Config, logger: Logger = createLogger(config.logLevel)): DatabaseHandle {
  const database = openDatabase(config.databasePath, { synchronous: config.sqliteSynchronous })
  for (const collision of migrate(database.db).collisions) logger.warn(describeCollision(collision))
  return database
}

/**
 * Runs `task` every `ms` without keeping the process alive. A failure (the disk, the database file, PostgreSQL
 * out of reach), thrown or as a rejected promise, is logged and the task tried again next time: from a timer, it
 * would end the process.
 */
export function repeatLogged(what: string, task: () => unknown, ms: number, logger: Logger): Timer {
  const failed = (error: unknown) => logger.error(`${what} failed`, error)
  const timer = setInterval(() => {
    try {
      const result = task()
      if (result instanceof Promise) result.catch(failed)
    } catch (error) {
      failed(error)
    }
  }, ms)
  timer.unref()
  return timer
}

/** The database the app runs on: a SQLite file (or :memory:), or a migrated PostgreSQL pool (src/db/pg/open.ts). */
export type AppDatabase = DatabaseHandle | PostgresDatabase

export const storeOf = (database: AppDatabase) => ('store' in database ? database.store : sqliteStore(database.db))

/** The whole service, ready for `app.handle(request)` in tests or `app.listen()` in the CLI; it never listens itself. */
export function createApp(
  config: Config,
  database: AppDatabase = openMigratedDatabase(config),
  dependencies: ServiceDependencies = {},
  logger: Logger = createLogger(config.logLevel),
) {
  const services = createServices(storeOf(database), config, {
    onDeferredError: (error) => logger.warn(`writing views and last_seen failed (kept for the next batch): ${error}`),
    ...dependencies,
  })
  const addresses = clientAddresses(config.trustProxyHops)
  const docs = apiDocs(VERSION)
  const users = usersController(services, addresses)
  const tokens = tokensController(services, addresses)
  const posts = postsController(services)
  const graphql = graphqlController(services, createGraphqlServer(services, config.graphql, logger), config.graphql, addresses)
  let pruner: Timer | undefined

  // Elysia finds the path at a fixed offset that assumes a host of four characters or more: with `Host: x`, `/api/ping`
  // was routed, answered and logged as `/ping`. Searching after the scheme instead costs nothing measurable.
  return new Elysia({ name: 'madblog', handler: { standardHostname: false } })
    // What tests flush instead of waiting out the batch delay; the server's clean stop flushes it itself (onStop).
    .state('deferredWrites', services.deferred)
    .use(errorHandling(logger, [docs, pingController, users, tokens, posts, graphql].flatMap((feature) => feature.routes)))
    .use(requestLog(logger, config.logLevel))
    .use(bodyLimit(config.maxBodyBytes))
    .use(corsPolicy(config.corsOrigins))
    .use(securityHeaders)
    .use(docs)
    .use(pingController)
    .use(users)
    .use(tokens)
    .use(posts)
    .use(graphql)
    .onStart(() => {
      pruner = repeatLogged('pruning expired tokens', () => services.pruneExpired(), PRUNE_INTERVAL_MS, logger)
    })
    .onStop(async () => {
      clearInterval(pruner)
      // The views and last_seen times still in memory: a clean stop writes them before the database closes.
      await services.deferred.stop()
    })
}

export type App = ReturnType<typeof createApp>
