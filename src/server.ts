import { createApp, openMigratedDatabase } from './app'
import type { Config } from './config'
import { createLogger } from './log'

export const listenOptions = (config: Config) => ({
  port: config.port,
  hostname: config.host,
  // The app answers oversized and chunked bodies itself, as JSON, before reading them (src/http/body-limit.ts);
  // Bun's own cap would answer first with an empty 413.
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
})

/** Migrates, listens, and on SIGTERM/SIGINT stops accepting, lets in-flight requests finish, closes the database. */
export function serve(config: Config) {
  const logger = createLogger(config.logLevel)
  const database = openMigratedDatabase(config)
  const app = createApp(config, database).listen(listenOptions(config))
  const { hostname, port } = app.server!
  logger.info(`madblog listening on http://${hostname}:${port} (database ${config.databasePath})`)

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info(`${signal} received: finishing in-flight requests`)
    await app.stop()
    database.close()
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  return app
}
