import { GraphQLError } from 'graphql'
import { maskError as yogaMaskError } from 'graphql-yoga'
import { STORAGE_RETRY_AFTER_SECONDS, isStorageFailure } from '../db/client'
import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthenticatedError,
  ValidationError,
  type FieldErrors,
} from '../services/errors'

type Extensions = {
  code: string
  /** One message per input field, named as the GraphQL input names it. */
  fields?: FieldErrors
  /** Seconds until trying again can succeed, as REST's Retry-After header. */
  retryAfter?: number
}

function extensionsFor(error: DomainError): Extensions | undefined {
  if (error instanceof ValidationError)
    return typeof error.detail === 'string' ? { code: 'BAD_USER_INPUT' } : { code: 'BAD_USER_INPUT', fields: error.detail }
  if (error instanceof UnauthenticatedError) return { code: 'UNAUTHENTICATED' }
  if (error instanceof ForbiddenError) return { code: 'FORBIDDEN' }
  if (error instanceof NotFoundError) return { code: 'NOT_FOUND' }
  if (error instanceof RateLimitedError) return { code: 'RATE_LIMITED', retryAfter: error.retryAfterSeconds }
  if (error instanceof ServiceUnavailableError) return { code: 'SERVICE_UNAVAILABLE', retryAfter: error.retryAfterSeconds }
  return undefined
}

/** What a resolver's error became, when it came from the services. */
export const domainErrorOf = (error: unknown): DomainError | undefined =>
  error instanceof GraphQLError && error.originalError instanceof DomainError ? error.originalError : undefined

const STORAGE_MESSAGE = 'The database cannot take this now. Try again later.'

/**
 * yoga's `maskedErrors.maskError`, the one place errors become what clients see: what the services threw keeps
 * its message, at its place in the document, with an `extensions.code`; a failing database (REST's 503) is
 * SERVICE_UNAVAILABLE with `retryAfter`; anything else is yoga's "Unexpected error.". Masked originals are logged.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const domain = domainErrorOf(error)
  const storage = !domain && isStorageFailure(error instanceof GraphQLError ? error.originalError : error)
  const extensions = storage ? { code: 'SERVICE_UNAVAILABLE', retryAfter: STORAGE_RETRY_AFTER_SECONDS } : domain && extensionsFor(domain)
  if (!extensions) return yogaMaskError(error, message, isDev)
  const located = error instanceof GraphQLError ? error : undefined
  return new GraphQLError(storage ? STORAGE_MESSAGE : domain!.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions,
  })
}
