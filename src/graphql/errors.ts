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
import { MESSAGES } from '../services/validation'

/** Field names as the GraphQL input spells them: the services speak REST's `old_password`. */
const camelCase = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())
const camelFields = (fields: FieldErrors) =>
  Object.fromEntries(Object.entries(fields).map(([name, message]) => [camelCase(name), message]))

type Extensions = {
  code: string
  fields?: FieldErrors
  /** Seconds until trying again can succeed, as REST's Retry-After header. */
  retryAfter?: number
}

function extensionsFor(error: DomainError): Extensions | undefined {
  if (error instanceof ValidationError)
    return typeof error.detail === 'string' ? { code: 'BAD_USER_INPUT' } : { code: 'BAD_USER_INPUT', fields: camelFields(error.detail) }
  if (error instanceof UnauthenticatedError) return { code: 'UNAUTHENTICATED' }
  if (error instanceof ForbiddenError) return { code: 'FORBIDDEN' }
  if (error instanceof NotFoundError) return { code: 'NOT_FOUND' }
  if (error instanceof RateLimitedError) return { code: 'RATE_LIMITED', retryAfter: error.retryAfterSeconds }
  if (error instanceof ServiceUnavailableError) return { code: 'SERVICE_UNAVAILABLE', retryAfter: error.retryAfterSeconds }
  return undefined
}

/** REST's "post JSON" sentence means, for an input object, that it set nothing. */
const messageFor = (error: DomainError) =>
  error instanceof ValidationError && error.detail === MESSAGES.notJson ? 'The input must set at least one field.' : error.message

/**
 * The one place domain errors become GraphQL errors with `extensions.code`. Anything else is rethrown as is,
 * for yoga to mask as "Unexpected error." and log.
 */
export function toGraphQLError(error: unknown): unknown {
  const extensions = error instanceof DomainError ? extensionsFor(error) : undefined
  return extensions ? new GraphQLError(messageFor(error as DomainError), { extensions }) : error
}

type Resolver = (...args: never[]) => unknown

function guard<R extends Resolver>(resolve: R): R {
  return ((...args: Parameters<R>) => {
    try {
      const result = resolve(...args)
      return result instanceof Promise ? result.catch((error) => Promise.reject(toGraphQLError(error))) : result
    } catch (error) {
      throw toGraphQLError(error)
    }
  }) as R
}

/** Wraps every resolver of a map so that what the services throw reaches the client in GraphQL's terms. */
export function withDomainErrors<T extends Record<string, Record<string, Resolver>>>(resolvers: T): T {
  return Object.fromEntries(
    Object.entries(resolvers).map(([type, fields]) => [
      type,
      Object.fromEntries(Object.entries(fields).map(([name, resolve]) => [name, guard(resolve)])),
    ]),
  ) as T
}

/**
 * Yoga's masking, except that a failing disk or database file (REST's 503) is SERVICE_UNAVAILABLE with
 * `retryAfter`, not an unexpected error. Like any masked error, the original is logged.
 */
export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error
  if (!isStorageFailure(original)) return yogaMaskError(error, message)
  const at = error instanceof GraphQLError ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path } : {}
  return new GraphQLError('The database cannot take this now. Try again later.', {
    ...at,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: STORAGE_RETRY_AFTER_SECONDS },
  })
}
