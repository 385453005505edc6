import { caseFold } from 'unicode-case-folding'

/**
 * The identity rule, in one place: what a username or an email may be, the form it is stored in, and the key
 * two of them are the same identity by. Registration, rename, login, the rate limits and GraphQL all use it.
 */

export const IDENTITY_LIMITS = { usernameChars: 64, emailChars: 120 } as const

// Letters, marks and digits of any script, plus . _ -: this leaves out whitespace, controls, format
// characters (zero-width, soft hyphen, BOM, bidi overrides), private-use and unassigned code points. ':' is
// out too, as Basic auth's user part cannot carry it. A leading mark would stack onto whatever precedes it.
const USERNAME = /^(?!\p{M})[\p{L}\p{M}\p{N}._-]+$/u
// The `аdmin` trick: Cyrillic and Greek letters that look like Latin ones, mixed into a Latin name.
const LATIN = /\p{Script=Latin}/u
const LATIN_LOOKALIKES = /[\p{Script=Cyrillic}\p{Script=Greek}]/u

// The tutorial's own pattern, so that what it accepted is still accepted.
const EMAIL =
  /^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$/
// Invisible or meaningless characters never belong in an address someone has to type back.
const EMAIL_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u

const codePoints = (text: string) => [...text].length

/** The NFKC form of an acceptable username, else undefined (the tutorial's "Please provide a valid username."). */
export function normalizeUsername(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const name = value.normalize('NFKC')
  const length = codePoints(name)
  if (length < 1 || length > IDENTITY_LIMITS.usernameChars || !USERNAME.test(name)) return undefined
  if (LATIN.test(name) && LATIN_LOOKALIKES.test(name)) return undefined
  return name
}

/**
 * Two usernames are one identity when their keys are equal: Unicode full case folding of the NFKC form (NFKC
 * again after folding, which can undo normalisation), so `ÄRGER` is `ärger` and `ａｄｍｉｎ` is `admin`.
 */
export function usernameKey(username: string): string {
  return caseFold(username.normalize('NFKC')).normalize('NFKC')
}

/** An acceptable email in NFC with its domain lower-cased, else undefined; the local part keeps its case. */
export function normalizeEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const email = value.normalize('NFC')
  if (codePoints(email) > IDENTITY_LIMITS.emailChars || EMAIL_FORBIDDEN.test(email) || !EMAIL.test(email)) return undefined
  const at = email.lastIndexOf('@')
  return email.slice(0, at) + email.slice(at).toLowerCase()
}

/** Emails are unique, and looked up, regardless of case in any script. */
export function emailKey(email: string): string {
  return caseFold(email.normalize('NFC')).normalize('NFC')
}
