import { ValidationError, type FieldErrors } from './errors'

export const MESSAGES = {
  notJson: 'You must post JSON data.',
  username: 'Please provide a valid username.',
  email: 'Please provide a valid email address.',
  password: 'Please provide a valid password.',
  usernameTaken: 'Please use a different username.',
  emailTaken: 'Please use a different email address.',
  oldPasswordMissing: 'Please provide your current password to change it.',
  oldPasswordWrong: 'Your current password is incorrect.',
} as const

export const LIMITS = { username: 64, email: 120, passwordBytes: 1024 } as const

// The tutorial's own pattern, so that what it accepted is still accepted.
const EMAIL =
  /^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$/
// ':' cannot travel in Basic auth's user part; control characters only ever come from mistakes or attacks.
const USERNAME_FORBIDDEN = /[:\p{Cc}]/u

export function isValidUsername(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.trim().length > 0 &&
    value.length <= LIMITS.username &&
    !USERNAME_FORBIDDEN.test(value)
  )
}

export function isValidEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.email && EMAIL.test(value)
}

export function isValidPassword(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && Buffer.byteLength(value, 'utf8') <= LIMITS.passwordBytes
  )
}

export function throwIfAny(fields: FieldErrors): void {
  if (Object.keys(fields).length > 0) throw new ValidationError(fields)
}
