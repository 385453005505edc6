import { Type, type TSchema } from '@sinclair/typebox'
import { createSchemaFactory } from 'drizzle-typebox'
import { Elysia, t } from 'elysia'
import { users } from '../db/schema'
import { LIMITS } from '../services/validation'

/** The tables are the source of truth; request and response shapes are derived from them. */
const { createSelectSchema, createInsertSchema } = createSchemaFactory({ typeboxInstance: t })
const userColumns = createSelectSchema(users).properties
const userInput = createInsertSchema(users).properties

// Response fields use TypeBox's plain Integer: Elysia's t.Integer also accepts numeric strings, a transform
// that makes every response go through the slow uncompiled Value.Encode instead of the compiled check.
const Integer = Type.Integer
const Id = Integer({ minimum: 1, examples: [1] })
const Password = t.String({ minLength: 1, maxLength: LIMITS.passwordBytes, description: 'At most 1,024 bytes (UTF-8).' })
const Time = (description: string) => t.String({ format: 'date-time', description: `${description} ISO-8601, UTC.` })
// No maxLength on text: TypeBox counts UTF-16 units, the limits count characters (src/services/validation.ts).
const ProfileText = (limit: number) => t.Union([t.String({ description: `At most ${limit} characters; empty or null clears it.` }), t.Null()])

const User = t.Object(
  {
    id: Id,
    username: userColumns.username,
    email: t.Optional(t.String({ ...userColumns.email, description: 'Only on your own record.' })),
    name: ProfileText(LIMITS.name),
    location: ProfileText(LIMITS.location),
    about_me: ProfileText(LIMITS.aboutMe),
    member_since: Time('When the account was created.'),
    last_seen: Time('The last authenticated request, to the minute (updated at most once a minute, within a second).'),
    posts_count: Integer({ minimum: 0 }),
    _links: t.Object({ self: t.String({ examples: ['/api/users/1'] }), posts: t.String({ examples: ['/api/users/1/posts'] }) }),
  },
  { description: 'A user', additionalProperties: false },
)

const ListMeta = t.Object({
  page: Integer(),
  per_page: Integer(),
  total_pages: Integer(),
  total_items: Integer(),
})
const ListLinks = t.Object({ self: t.String(), next: t.Union([t.String(), t.Null()]), prev: t.Union([t.String(), t.Null()]) })

const UserList = t.Object({ items: t.Array(User), _meta: ListMeta, _links: ListLinks }, { description: 'One page of users, ordered by id' })

/** A post's author as every post embeds them: the user resource, never with an email. */
const Author = t.Omit(User, ['email'], { description: 'The author (never with an email)', additionalProperties: false })
const Neighbour = t.Union([t.Object({ id: Id, title: t.String(), _links: t.Object({ self: t.String() }) }), t.Null()])
const PostLinks = { self: t.String({ examples: ['/api/posts/1'] }), author: t.String({ examples: ['/api/users/1'] }) }
const postFields = {
  id: Id,
  title: t.String(),
  summary: t.String({ description: `As written, or the body's first ${LIMITS.derivedSummary} characters when none was.` }),
  body: t.String(),
  timestamp: Time('When the post was written.'),
  updated_at: Time('When the post last changed.'),
  views: Integer({ minimum: 0, description: 'Counted in memory and added to the row within a second.' }),
  author: Author,
}

const Post = t.Object({ ...postFields, _links: t.Object(PostLinks) }, { description: 'A post', additionalProperties: false })

const PostDetail = t.Object(
  {
    ...postFields,
    _links: t.Object({
      ...PostLinks,
      next: t.Union([t.String({ description: 'The newer post' }), t.Null()]),
      prev: t.Union([t.String({ description: 'The older post' }), t.Null()]),
    }),
    next: Neighbour,
    prev: Neighbour,
  },
  { description: 'A post, with the newer (next) and older (prev) posts beside it', additionalProperties: false },
)

const PostList = t.Object({ items: t.Array(Post), _meta: ListMeta, _links: ListLinks }, { description: 'One page of posts, newest first' })

const PostTitle = t.String({ minLength: 1, maxLength: LIMITS.title, description: `Required, at most ${LIMITS.title} characters.` })
const PostBody = t.String({ minLength: 1, maxLength: LIMITS.body, description: `Required, at most ${LIMITS.body.toLocaleString('en')} characters.` })
const PostSummary = t.Union([
  t.String({ maxLength: LIMITS.summary, description: `At most ${LIMITS.summary} characters; empty or null: the body's first ${LIMITS.derivedSummary}.` }),
  t.Null(),
])
const CreatePostBody = t.Object({ title: PostTitle, summary: t.Optional(PostSummary), body: PostBody }, { description: 'A new post' })
const UpdatePostBody = t.Partial(CreatePostBody, { description: 'Only the fields given change' })

const CreateUserBody = t.Object(
  {
    username: t.String({
      ...userInput.username,
      minLength: 1,
      pattern: '^[^:]+$',
      description:
        'Stored in NFKC form: letters, marks and digits of any script, plus . _ -, 1–64 characters, no Latin mixed with Cyrillic or Greek. Unique regardless of case in any script.',
    }),
    email: t.String({ ...userInput.email, format: 'email', description: 'Unique regardless of case in any script; the domain is stored lower-cased.' }),
    password: Password,
  },
  { description: 'A new account' },
)

const UpdateUserBody = t.Partial(
  t.Object({
    username: CreateUserBody.properties.username,
    email: CreateUserBody.properties.email,
    password: t.String({ ...Password, description: 'Needs old_password; ends every session of this user.' }),
    old_password: Password,
    name: ProfileText(LIMITS.name),
    location: ProfileText(LIMITS.location),
    about_me: ProfileText(LIMITS.aboutMe),
  }),
  { description: 'Only the fields given change' },
)

/** The body fields whose REST name is not the services' (the tutorial's snake_case); field errors come back under these. */
export const REST_FIELD_NAMES: Readonly<Record<string, string>> = { oldPassword: 'old_password', aboutMe: 'about_me' }

const Token = t.Object(
  {
    token: t.String({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expires_at: t.String({ format: 'date-time', description: 'ISO-8601; TOKEN_TTL_SECONDS after issue' }),
  },
  { description: 'A new bearer token' },
)

const documentedOnly = <Shapes extends Record<string, TSchema>>(shapes: Shapes): Shapes => {
  for (const shape of Object.values(shapes)) t.NoValidate(shape)
  return shapes
}

// One message, or one per field; a map rather than a pattern so every client generator types it.
const Message = t.Union([t.String(), t.Object({}, { additionalProperties: t.String() })])
const ErrorModel = (description: string, withMessage = false) =>
  t.Object({ error: t.String(), ...(withMessage ? { message: Message } : {}) }, { description })

/**
 * Every request and response shape, by the name the OpenAPI document gives it under components/schemas
 * (generated clients get these names). Routes refer to them by name.
 *
 * Documentation and types only, never a check at run time: the services check what comes in, with the tutorial's
 * messages; TypeScript holds each handler's answer to its model, and the property tests hold every answer to the
 * OpenAPI document. Elysia's check of each answer cost a third of a user read's CPU and a quarter of a page's (bench/).
 */
export const models = new Elysia({ name: 'models' }).model(documentedOnly({
  User,
  UserList,
  CreateUserBody,
  UpdateUserBody,
  Token,
  Post,
  PostDetail,
  PostList,
  CreatePostBody,
  UpdatePostBody,
  BadRequest: ErrorModel('Bad request: a sentence, or one message per field', true),
  Unauthorized: ErrorModel('Missing, invalid or expired credentials (see WWW-Authenticate)'),
  Forbidden: ErrorModel('Not your record'),
  NotFound: ErrorModel('No such record'),
  MethodNotAllowed: ErrorModel('This path does not serve that method: Allow lists those it does'),
  LengthRequired: ErrorModel('A chunked body: send a Content-Length'),
  PayloadTooLarge: ErrorModel('A body over MAX_BODY_BYTES, refused before it is read'),
  TooManyRequests: ErrorModel('Too many attempts from this address or on this account: wait the Retry-After seconds', true),
  ServiceUnavailable: ErrorModel('Password hashing is saturated: wait the Retry-After seconds'),
  NotReady: ErrorModel('Not ready: the message says why (the database does not answer, its file was replaced, or migrations are pending)', true),
}))

export type ModelName = keyof typeof models.models

/** A JSON request body, documented by model name: the services validate it, with the tutorial's messages. */
export const jsonBody = (model: ModelName) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${model}` } } },
})

/**
 * Path and query parameters as the document types them. The handlers parse the raw strings themselves, with
 * Flask's rules (a bad id is 404, a nonsense page falls back to the default), so no route validates them.
 */
export const PARAMETERS = {
  id: Integer({ minimum: 1, description: 'The id of the user or post the path names', examples: [1] }),
  page: Integer({ minimum: 1, default: 1, description: 'Page number, from 1' }),
  per_page: Integer({ minimum: 1, maximum: 100, default: 10, description: 'Items per page, 1 to 100' }),
} as const

/**
 * Lists the list's query parameters; PARAMETERS types them in the document. Any other key is let through (Flask
 * ignores it too): without `normalize` (src/app.ts) Elysia would otherwise refuse it.
 */
export const PageQuery = t.Object({ page: t.Optional(t.String()), per_page: t.Optional(t.String()) }, { additionalProperties: true })
