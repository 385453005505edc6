import { createApp, openMigratedDatabase } from './app'
import type { Config } from './config'
import { createLogger } from './log'

/** Migrates, listens, and on SIGTERM/SIGINT stops accepting, lets in-flight requests finish, closes the database. */
export function serve(config: Config) {
  const logger = createLogger(config.logLevel)
  const database = openMigratedDatabase(config)
  const app = createApp(config, database).listen({
    port: config.port,
    hostname: config.host,
    maxRequestBodySize: config.maxBodyBytes,
  })
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
