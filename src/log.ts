import { LOG_LEVELS, type LogLevel } from './config'

export interface Logger {
  debug(message: string, detail?: unknown): void
  info(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  error(message: string, detail?: unknown): void
}

export function createLogger(level: LogLevel): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const write = (at: LogLevel) => (message: string, detail?: unknown) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return
    const line = `${new Date().toISOString()} ${at.toUpperCase()} ${message}`
    if (at === 'error' || at === 'warn') console.error(line, ...(detail === undefined ? [] : [detail]))
    else console.log(line, ...(detail === undefined ? [] : [detail]))
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
