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

export const LIMITS = { passwordBytes: 1024 } as const

export function isValidPassword(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && Buffer.byteLength(value, 'utf8') <= LIMITS.passwordBytes
  )
}

export function throwIfAny(fields: FieldErrors): void {
  if (Object.keys(fields).length > 0) throw new ValidationError(fields)
}
