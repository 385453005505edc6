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
