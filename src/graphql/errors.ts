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

/** The error's place in the document, for the one that replaces it. */
const placeOf = (error: unknown) =>
  error instanceof GraphQLError ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path } : {}

/**
 * yoga's `maskedErrors.maskError`, the one place errors become what clients see: what the services threw keeps
 * its message, at its place in the document, with an `extensions.code`; a failing disk or database file (REST's
 * 503) is SERVICE_UNAVAILABLE with `retryAfter`, and logged like any masked error; anything else is yoga's
 * "Unexpected error.".
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const domain = domainErrorOf(error)
  const extensions = domain && extensionsFor(domain)
  if (extensions) return new GraphQLError(domain.message, { ...placeOf(error), extensions })
  if (isStorageFailure(error instanceof GraphQLError ? error.originalError : error))
    return new GraphQLError('The database cannot take this now. Try again later.', {
      ...placeOf(error),
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: STORAGE_RETRY_AFTER_SECONDS },
    })
  return yogaMaskError(error, message, isDev)
}
