import { expect } from 'bun:test'

/**
 * The tutorial's messages as clients see them, written out here once and not imported from src/: a test that
 * compares against these fails when a message changes.
 */
export const MSG = {
  notJson: 'You must post JSON data.',
  username: 'Please provide a valid username.',
  email: 'Please provide a valid email address.',
  password: 'Please provide a valid password.',
  usernameTaken: 'Please use a different username.',
  emailTaken: 'Please use a different email address.',
  oldPasswordMissing: 'Please provide your current password to change it.',
  oldPasswordWrong: 'Your current password is incorrect.',
} as const

/** REST's 400 body: a sentence, or one message per field. */
export const badRequest = (message: string | Record<string, string>) => ({ error: 'Bad Request', message })

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** REST's user resource (the tutorial's, with the profile madblog's model adds, empty on a new account). */
export const userBody = (id: number, username: string, extra: Record<string, unknown> = {}) => ({
  _links: { self: `/api/users/${id}`, posts: `/api/users/${id}/posts` },
  id,
  username,
  name: null,
  location: null,
  about_me: null,
  member_since: expect.stringMatching(ISO_UTC),
  last_seen: expect.stringMatching(ISO_UTC),
  posts_count: 0,
  ...extra,
})
