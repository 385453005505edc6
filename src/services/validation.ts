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
  name: 'Please use a shorter name.',
  location: 'Please use a shorter location.',
  aboutMe: 'Please use a shorter about me.',
  profileText: 'Please provide text or null.',
  title: 'Please provide a title.',
  titleLong: 'Please use a shorter title.',
  summaryLong: 'Please use a shorter summary.',
  body: 'Please provide a body.',
  bodyLong: 'Please use a shorter body.',
} as const

/** Lengths in characters (code points), but the password's, in UTF-8 bytes. */
export const LIMITS = {
  passwordBytes: 1024,
  name: 64,
  location: 64,
  aboutMe: 1000,
  title: 255,
  summary: 500,
  body: 100_000,
  /** A summary derived from the body is its first this many characters. */
  derivedSummary: 200,
} as const

/** The length a reader counts: code points, so an emoji or a CJK character is one, never half of one. */
export const characters = (text: string) => {
  let count = 0
  for (const _ of text) count++
  return count
}

export function isValidPassword(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && Buffer.byteLength(value, 'utf8') <= LIMITS.passwordBytes
  )
}

export function throwIfAny(fields: FieldErrors): void {
  if (Object.keys(fields).length > 0) throw new ValidationError(fields)
}
