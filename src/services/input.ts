/**
 * The rules every edge (REST, GraphQL, the CLI) applies to what it was sent, turning it into a service's typed
 * input with one set of messages. Each edge reads its own fields (REST's `old_password` is GraphQL's
 * `oldPassword`) into the names below, which are also the names field errors come back under.
 */
import { NotFoundError, ValidationError, type FieldErrors } from './errors'
import { normalizeEmail, normalizeUsername } from './identity'
import { LIMITS, MESSAGES, characters, isValidPassword, throwIfAny } from './validation'

/** Fields as an edge received them: a key is present when it was sent, whatever its value (null included). */
export type Sent<Name extends string> = { readonly [Key in Name]?: unknown }

export interface NewUser {
  username: string
  email: string
  password: string
}

export interface Profile {
  name: string | null
  location: string | null
  aboutMe: string | null
}

export interface UserChanges extends Partial<Profile> {
  username?: string
  email?: string
  /** A new password, with the current one that proves the right to set it. */
  password?: { password: string; oldPassword: string }
}

/**
 * An input after the rules: the fields that passed, and what was wrong with the rest. The service throws it
 * when its turn comes, so a 404 or 403 comes first (as the tutorial's order has it), and together with the names
 * it finds taken.
 */
export class CheckedInput<T> {
  private constructor(
    readonly valid: Partial<T>,
    private readonly wrong: FieldErrors | string,
  ) {}

  static of<T>(valid: Partial<T>, wrong: FieldErrors): CheckedInput<T> {
    return new CheckedInput(valid, wrong)
  }

  /** An input refused whole, with a sentence about the request. */
  static refused<T>(message: string): CheckedInput<T> {
    return new CheckedInput<T>({}, message)
  }

  /** The typed input, or a ValidationError with its own messages and `more` (names found taken). */
  accept(more: FieldErrors = {}): T {
    if (typeof this.wrong === 'string') throw new ValidationError(this.wrong)
    throwIfAny({ ...this.wrong, ...more })
    return this.valid as T
  }
}

/** An account's username and email, without its password (an account imported with its hash). */
export type AccountNames = Pick<NewUser, 'username' | 'email'>

/** Names come out in their stored form (the identity rule's, src/services/identity.ts). */
function names(sent: Sent<keyof AccountNames>): { valid: Partial<NewUser>; wrong: FieldErrors } {
  const wrong: FieldErrors = {}
  const valid: Partial<NewUser> = { username: normalizeUsername(sent.username), email: normalizeEmail(sent.email) }
  if (valid.username === undefined) wrong.username = MESSAGES.username
  if (valid.email === undefined) wrong.email = MESSAGES.email
  return { valid, wrong }
}

export function checkAccountNames(sent: Sent<keyof AccountNames>): CheckedInput<AccountNames> {
  const { valid, wrong } = names(sent)
  return CheckedInput.of(valid, wrong)
}

export function checkNewUser(sent: Sent<keyof NewUser>): CheckedInput<NewUser> {
  const { valid, wrong } = names(sent)
  if (isValidPassword(sent.password)) valid.password = sent.password
  else wrong.password = MESSAGES.password
  return CheckedInput.of(valid, wrong)
}

const PROFILE_FIELDS = ['name', 'location', 'aboutMe'] as const

/**
 * Free text as every engine can store it: trimmed, a lone surrogate (half a character, not UTF-8) or a NUL made
 * U+FFFD, which PostgreSQL's text refuses and SQLite would keep.
 */
const cleanText = (text: string) => text.toWellFormed().replaceAll('\0', '\uFFFD').trim()

/** Profile text: trimmed, empty or null clears it, longer than its limit is refused. */
function checkProfile(sent: Sent<keyof Profile>, valid: Partial<Profile>, wrong: FieldErrors) {
  for (const field of PROFILE_FIELDS) {
    if (!(field in sent)) continue
    const value = sent[field]
    if (value !== null && typeof value !== 'string') wrong[field] = MESSAGES.profileText
    else if (value !== null && characters(cleanText(value)) > LIMITS[field]) wrong[field] = MESSAGES[field]
    else valid[field] = (value === null ? '' : cleanText(value)) || null
  }
}

/** Only the fields sent change; a new password needs the current one. Names come out in their stored form. */
export function checkUserChanges(sent: Sent<'username' | 'email' | 'password' | 'oldPassword' | keyof Profile>): CheckedInput<UserChanges> {
  const wrong: FieldErrors = {}
  const valid: UserChanges = {}
  checkProfile(sent, valid, wrong)
  if ('username' in sent) {
    valid.username = normalizeUsername(sent.username)
    if (valid.username === undefined) wrong.username = MESSAGES.username
  }
  if ('email' in sent) {
    valid.email = normalizeEmail(sent.email)
    if (valid.email === undefined) wrong.email = MESSAGES.email
  }
  if ('password' in sent) {
    if (!isValidPassword(sent.password)) wrong.password = MESSAGES.password
    if (!isValidPassword(sent.oldPassword)) wrong.oldPassword = MESSAGES.oldPasswordMissing
    if (!wrong.password && !wrong.oldPassword) valid.password = { password: sent.password as string, oldPassword: sent.oldPassword as string }
  }
  return CheckedInput.of(valid, wrong)
}

/** Flask's `<int:id>` converter, for every edge: anything but a plain positive integer names nothing. */
const idIn = (text: string, what: string): number => {
  const id = /^\d{1,15}$/.test(text) ? Number(text) : 0
  if (id < 1) throw new NotFoundError(`${what} not found`)
  return id
}

export const checkUserId = (text: string) => idIn(text, 'User')
export const checkPostId = (text: string) => idIn(text, 'Post')

export interface NewPost {
  title: string
  /** Null: the start of the body stands for it. */
  summary: string | null
  body: string
}

export type PostChanges = Partial<NewPost>

/** A post's fields: title and body required on a new post (`whole`), each checked only when sent on a change. */
function checkPost(sent: Sent<keyof NewPost>, whole: boolean): CheckedInput<PostChanges> {
  const wrong: FieldErrors = {}
  const valid: PostChanges = {}
  const text = (field: 'title' | 'body', missing: string, long: string) => {
    if (!whole && !(field in sent)) return
    const value = typeof sent[field] === 'string' ? cleanText(sent[field] as string) : ''
    if (value === '') wrong[field] = missing
    else if (characters(value) > LIMITS[field]) wrong[field] = long
    else valid[field] = value
  }
  text('title', MESSAGES.title, MESSAGES.titleLong)
  text('body', MESSAGES.body, MESSAGES.bodyLong)
  if ('summary' in sent || whole) {
    const summary = sent.summary
    if (summary !== undefined && summary !== null && typeof summary !== 'string') wrong.summary = MESSAGES.profileText
    else if (typeof summary === 'string' && characters(cleanText(summary)) > LIMITS.summary) wrong.summary = MESSAGES.summaryLong
    else valid.summary = (typeof summary === 'string' ? cleanText(summary) : '') || null
  }
  return CheckedInput.of(valid, wrong)
}

export const checkNewPost = (sent: Sent<keyof NewPost>) => checkPost(sent, true) as CheckedInput<NewPost>
export const checkPostChanges = (sent: Sent<keyof NewPost>) => checkPost(sent, false)
