import { AsyncLocalStorage } from 'node:async_hooks'
import { LOG_LEVELS, type LogFormat, type LogLevel } from './config'

/** Structured fields of one line, beside time, level and message. */
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, detail?: unknown, fields?: LogFields): void
  info(message: string, detail?: unknown, fields?: LogFields): void
  warn(message: string, detail?: unknown, fields?: LogFields): void
  error(message: string, detail?: unknown, fields?: LogFields): void
}

/**
 * The request being served, entered at its arrival (src/http/request-id.ts): every line logged while serving it,
 * by madblog or by a library, carries its id, whoever writes it.
 */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>()

/** An error as JSON can hold it; anything else as itself, or as text when it cannot be serialized. */
function plain(detail: unknown): unknown {
  if (detail instanceof Error) return { name: detail.name, message: detail.message, stack: detail.stack }
  if (Array.isArray(detail)) return detail.map(plain)
  try {
    JSON.stringify(detail)
    return detail
  } catch {
    return Bun.inspect(detail)
  }
}

function jsonLine(at: LogLevel, message: string, detail: unknown, fields: LogFields | undefined): string {
  const requestId = requestScope.getStore()?.requestId
  return JSON.stringify({
    time: new Date().toISOString(),
    level: at,
    message,
    ...fields,
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...(detail === undefined ? {} : { detail: plain(detail) }),
  })
}

/** LOG_FORMAT=text: `<time> <LEVEL> <message>`, the request id at the end; the detail printed after it. */
function textLine(at: LogLevel, message: string): string {
  const requestId = requestScope.getStore()?.requestId
  return `${new Date().toISOString()} ${at.toUpperCase()} ${message}${requestId === undefined ? '' : ` request_id=${requestId}`}`
}

export function createLogger(level: LogLevel, format: LogFormat = 'text'): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const write = (at: LogLevel) => (message: string, detail?: unknown, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return
    const print = at === 'error' || at === 'warn' ? console.error : console.log
    if (format === 'json') print(jsonLine(at, message, detail, fields))
    else print(textLine(at, message), ...(detail === undefined ? [] : [detail]))
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
