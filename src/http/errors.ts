import { Elysia } from 'elysia'
import { STORAGE_RETRY_AFTER_SECONDS, isStorageFailure } from '../db/client'
import type { Logger } from '../log'
import { requestIdOf } from './request-id'
import {
  DomainError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthenticatedError,
  ValidationError,
} from '../services/errors'
import { MESSAGES } from '../services/validation'
import { REST_FIELD_NAMES } from './models'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  411: 'Length Required',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export const AUTH_CHALLENGE = {
  basic: 'Basic realm="Authentication Required"',
  bearer: 'Bearer realm="Authentication Required"',
}

/** The tutorial's error shape: `{"error": <reason phrase>, "message"?: ...}`. */
export function errorBody(status: number, message?: unknown) {
  return message === undefined ? { error: REASONS[status] ?? 'Error' } : { error: REASONS[status] ?? 'Error', message }
}

export class PayloadTooLargeError extends Error {}
export class LengthRequiredError extends Error {}

interface Mapped {
  status: number
  message?: unknown
  headers?: Record<string, string>
}

/** Field messages under the names the REST body gives the fields. */
const restFields = (detail: ValidationError['detail']) =>
  typeof detail === 'string' ? detail : Object.fromEntries(Object.entries(detail).map(([name, message]) => [REST_FIELD_NAMES[name] ?? name, message]))

function mapDomainError(error: DomainError): Mapped {
  if (error instanceof ValidationError) return { status: 400, message: restFields(error.detail) }
  if (error instanceof InvalidCredentialsError)
    return { status: 401, headers: { 'www-authenticate': AUTH_CHALLENGE.basic } }
  if (error instanceof UnauthenticatedError) return { status: 401, headers: { 'www-authenticate': AUTH_CHALLENGE.bearer } }
  if (error instanceof ForbiddenError) return { status: 403 }
  if (error instanceof NotFoundError) return { status: 404 }
  if (error instanceof RateLimitedError)
    return { status: 429, message: error.message, headers: { 'retry-after': String(error.retryAfterSeconds) } }
  if (error instanceof ServiceUnavailableError)
    return { status: 503, headers: { 'retry-after': String(error.retryAfterSeconds) } }
  return { status: 500 }
}

export type RouteTable = { method: string; path: string }[]

/** Methods served at `path` by some route: a known path asked with the wrong method is a 405, not a 404. */
function allowedMethods(routes: RouteTable, path: string): string[] {
  const methods = routes
    .filter(({ method, path: pattern }) => {
      if (method === 'OPTIONS' || method === 'ALL') return false
      const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')}$`)
      return regex.test(path)
    })
    .map(({ method }) => method)
  return [...new Set(methods)]
}

/**
 * Every failure becomes JSON in one place: domain errors by their meaning, framework errors by their kind, a
 * failing disk or database file a logged 503, and anything else a logged 500 whose cause never reaches the client.
 * Both logged kinds are handed to `failed` too, which the metrics count.
 */
export function errorHandling(logger: Logger, routes: RouteTable, failed: (error: unknown) => void = () => {}) {
  return new Elysia({ name: 'error-handling' }).onError({ as: 'global' }, ({ code, error, set, request, path }) => {
    let mapped: Mapped
    if (error instanceof DomainError) mapped = mapDomainError(error)
    else if (error instanceof PayloadTooLargeError) mapped = { status: 413 }
    else if (error instanceof LengthRequiredError) mapped = { status: 411 }
    else if (code === 'PARSE') mapped = { status: 400, message: MESSAGES.notJson }
    // Like Flask's `<int:id>`, a path segment that does not decode names no resource.
    else if (code === 'VALIDATION' && (error as { type?: string }).type === 'params') mapped = { status: 404 }
    else if (code === 'VALIDATION' && (error as { type?: string }).type !== 'response')
      mapped = { status: 400, message: 'The request does not match the API contract.' }
    else if (code === 'NOT_FOUND') {
      const allowed = allowedMethods(routes, path)
      mapped = allowed.length ? { status: 405, headers: { allow: allowed.join(', ') } } : { status: 404 }
    } else if (isStorageFailure(error)) {
      logger.error(`${request.method} ${path} failed: the database cannot take it now`, error, { request_id: requestIdOf(set) })
      failed(error)
      mapped = { status: 503, headers: { 'retry-after': String(STORAGE_RETRY_AFTER_SECONDS) } }
    } else {
      logger.error(`${request.method} ${path} failed`, error, { request_id: requestIdOf(set) })
      failed(error)
      mapped = { status: 500 }
    }
    set.status = mapped.status
    Object.assign(set.headers, mapped.headers)
    return errorBody(mapped.status, mapped.message)
  })
}
