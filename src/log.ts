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
 * The GraphQL request being served, entered at its arrival (src/http/request-id.ts): a line a library logs while
 * serving it (yoga's) carries its id too. madblog's own lines name their request in `fields.request_id`.
 */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>()

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

/** LOG_FORMAT=json: one object per line, the detail as the same one-line text as in the text format. */
function jsonLine(at: LogLevel, message: string, detail: unknown, fields: LogFields | undefined, requestId: string | undefined): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    level: at,
    message,
    ...fields,
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...(detail === undefined ? {} : { detail: oneLine(detail) }),
  })
}

/** LOG_FORMAT=text: `<time> <LEVEL> <message> <detail>`, the request id at the end. */
function textLine(at: LogLevel, message: string, detail: unknown, requestId: string | undefined): string {
  const details = `${detail === undefined ? '' : ` ${oneLine(detail)}`}${requestId === undefined ? '' : ` request_id=${requestId}`}`
  return `${new Date().toISOString()} ${at.toUpperCase()} ${message}${details}`
}

export function createLogger(level: LogLevel, format: LogFormat = 'text'): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const write = (at: LogLevel) => (message: string, detail?: unknown, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return
    const requestId = (fields?.request_id as string | undefined) ?? requestScope.getStore()?.requestId
    const line = format === 'json' ? jsonLine(at, message, detail, fields, requestId) : textLine(at, message, detail, requestId)
    if (at === 'error' || at === 'warn') console.error(line)
    else console.log(line)
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}
