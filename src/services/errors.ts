/** Domain errors: what went wrong in the service's terms. Each transport maps them once, in one place. */

export type FieldErrors = Record<string, string>

export abstract class DomainError extends Error {}

/** Bad input: a sentence about the whole request, or one message per field. */
export class ValidationError extends DomainError {
  constructor(readonly detail: string | FieldErrors) {
    super(typeof detail === 'string' ? detail : 'Invalid input')
  }
}

export class NotFoundError extends DomainError {}

/** Authenticated, but the record belongs to someone else. */
export class ForbiddenError extends DomainError {}

/** No usable bearer token: missing, malformed, expired or revoked. */
export class UnauthenticatedError extends DomainError {}

/** A login with an unknown user or a wrong password; both look the same from outside. */
export class InvalidCredentialsError extends UnauthenticatedError {}

/** Too many attempts from this client or on this account; a slot frees in `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message)
  }
}

/** Password hashing is saturated (every slot busy, the queue full): try again shortly rather than queue forever. */
export class ServiceUnavailableError extends DomainError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message)
  }
}
