import { LOG_LEVELS, type LogLevel } from './config'

export interface Logger {
  debug(message: string, detail?: unknown): void
  info(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  error(message: string, detail?: unknown): void
}

const MAX_DETAIL_CHARS = 4096

/**
 * An error as its cause chain and stack, on the line, at most 4 KB: handed to the console, Bun prints an
 * excerpt of the source around the throw, which from the minified binary is some 22 KB of one padded line.
 */
function describe(detail: unknown): string {
  const parts: string[] = []
  for (let inner = detail, depth = 0; inner !== undefined && inner !== null && depth < 4; depth++) {
    if (Array.isArray(inner)) parts.push(inner.map(describe).join(' ; '))
    if (!(inner instanceof Error)) {
      if (!Array.isArray(inner)) parts.push(typeof inner === 'string' ? inner : Bun.inspect(inner, { depth: 2 }))
      break
    }
    const code = (inner as { code?: unknown }).code
    parts.push(`${typeof code === 'string' ? `[${code}] ` : ''}${inner.stack ?? `${inner.name}: ${inner.message}`}`)
    inner = inner.cause ?? (inner as { originalError?: unknown }).originalError
  }
  const text = parts.join(' | caused by: ').replace(/\s*\n\s*/g, ' | ')
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text
}

export function createLogger(level: LogLevel): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const write = (at: LogLevel) => (message: string, detail?: unknown) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return
    const line = `${new Date().toISOString()} ${at.toUpperCase()} ${message}${detail === undefined ? '' : ` ${describe(detail)}`}`
    if (at === 'error' || at === 'warn') console.error(line)
    else console.log(line)
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
