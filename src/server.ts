import { createApp, openMigratedDatabase, type AppDatabase } from './app'
import type { Config } from './config'
import { createLogger, type Logger } from './log'
import { METRICS_PATH } from './metrics'

export const listenOptions = (config: Config) => ({
  port: config.port,
  hostname: config.host,
  // The app answers oversized and chunked bodies itself, as JSON, before reading them (src/http/body-limit.ts);
  // Bun's own cap would answer first with an empty 413.
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  // Elysia turns SO_REUSEPORT on: a second madblog on a taken port would start and share it, each request
  // landing in either process and either database. Off, a taken port is an error at start.
  reusePort: false,
})

/** The configured database, migrated, and how the start-up line names it. */
async function openConfigured(config: Config, logger: Logger): Promise<{ database: AppDatabase; named: string }> {
  if (!config.postgres) return { database: openMigratedDatabase(config, logger), named: config.databasePath }
  // Loaded only for PostgreSQL: a SQLite process never carries the driver (idle RSS, bench/).
  const { openMigratedPostgres, describeUrl } = await import('./db/pg/open')
  return { database: await openMigratedPostgres({ ...config, postgres: config.postgres }), named: describeUrl(config.postgres.url) }
}

/** The port cannot be had: start-up ends with this one line. */
export class ListenError extends Error {}

/**
 * Migrates, listens, and on SIGTERM/SIGINT stops accepting, lets in-flight requests finish (for at most
 * SHUTDOWN_GRACE_SECONDS), closes the database, and exits 0.
 */
export async function serve(config: Config) {
  const logger = createLogger(config.logLevel, config.logFormat)
  const { database, named } = await openConfigured(config, logger)
  const app = createApp(config, database, {}, logger)

  let stopping = false
  let stopMetrics = () => {}
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info(`${signal} received: finishing in-flight requests`)
    const server = app.server
    // A client that stalls mid-request would hold the stop open forever, until the supervisor's SIGKILL left
    // the database unclosed: past the grace period its connection is cut, and the close still happens.
    let graceOver: () => void = () => {}
    const deadlinePassed = new Promise<void>((resolve) => (graceOver = resolve))
    const deadline = setTimeout(() => {
      logger.warn(`requests still open after ${config.shutdownGraceSeconds} s: closing their connections`)
      graceOver()
      void server?.stop(true)
    }, config.shutdownGraceSeconds * 1000)
    await app.stop()
    void stopMetrics()
    // Each request's line is written just after its answer: wait for the last ones (a cut connection may never
    // get one, so no longer than the grace period).
    await Promise.race([app.requestsLogged(), deadlinePassed])
    clearTimeout(deadline)
    await database.close()
    logger.info('stopped')
    process.exit(0)
  }
  // Installed before the port opens: a supervisor may signal as soon as it sees the service answer.
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))

  try {
    app.listen(listenOptions(config))
  } catch (cause) {
    await database.close()
    const code = (cause as { code?: string }).code
    const reason = code === 'EADDRINUSE' ? 'is already in use' : `cannot be listened on (${code ?? String(cause)})`
    throw new ListenError(`port ${config.port} on ${config.host} ${reason}`)
  }
  const { hostname, port } = app.server!
  logger.info(`madblog listening on http://${hostname}:${port} (database ${named})`)
  // Its own listener, never the public port: scrapers reach it, the API's clients need not.
  const metricsServer = app.metrics && Bun.serve({ port: config.metricsPort, hostname: config.host, fetch: app.metrics.answer })
  if (metricsServer) logger.info(`metrics on http://${metricsServer.hostname}:${metricsServer.port}${METRICS_PATH}`)
  stopMetrics = () => metricsServer?.stop(true)
  // Start-up (migrations, building the routes) leaves tens of MiB of garbage the allocator would keep: collect
  // it and hand the pages back once, just after the first turn of the event loop (about 5 MiB of idle RSS).
  setTimeout(() => {
    Bun.gc(true)
    Bun.shrink()
  }, 0).unref()
  return app
}
