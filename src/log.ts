import { LOG_LEVELS, type LogLevel } from './config'

export interface Logger {
  debug(message: string, detail?: unknown): void
  info(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  error(message: string, detail?: unknown): void
}

const MAX_DETAIL_CHARS = 4096

/** An error as its code, stack and causes (at most four deep); anything else as Bun shows it. */
function describe(detail: unknown, depth = 0): string {
  if (Array.isArray(detail)) return detail.map((item) => describe(item, depth)).join(' ; ')
  if (!(detail instanceof Error)) return typeof detail === 'string' ? detail : Bun.inspect(detail, { depth: 2 })
  const code = (detail as { code?: unknown }).code
  const own = `${typeof code === 'string' ? `[${code}] ` : ''}${detail.stack ?? `${detail.name}: ${detail.message}`}`
  const cause = detail.cause ?? (detail as { originalError?: unknown }).originalError
  return cause == null || depth >= 3 ? own : `${own} | caused by: ${describe(cause, depth + 1)}`
}

/**
 * The detail on the log line itself, at most 4 KB. Handed to the console, an error would be printed with Bun's
 * excerpt of the source around the throw: from the minified binary, some 22 KB of one padded line.
 */
function oneLine(detail: unknown): string {
  const text = describe(detail).replace(/\s*\n\s*/g, ' | ')
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text
}

export function createLogger(level: LogLevel): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const write = (at: LogLevel) => (message: string, detail?: unknown) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return
    const line = `${new Date().toISOString()} ${at.toUpperCase()} ${message}${detail === undefined ? '' : ` ${oneLine(detail)}`}`
    if (at === 'error' || at === 'warn') console.error(line)
    else console.log(line)
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
