import { Type } from '@sinclair/typebox'
import { createSchemaFactory } from 'drizzle-typebox'
import { t, type TSchema } from 'elysia'
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
const ProfileText = (limit: number) => t.Nullable(t.String({ description: `At most ${limit} characters; empty or null clears it.` }))

export const UserModel = t.Object(
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

const ListLinks = t.Object({ self: t.String(), next: t.Nullable(t.String()), prev: t.Nullable(t.String()) })
const ListMeta = t.Object({
  page: Integer(),
  per_page: Integer(),
  total_pages: Integer(),
  total_items: Integer(),
})

/** A post's author as every post embeds them: the user resource, never with an email. */
const AuthorModel = t.Omit(UserModel, ['email'], { description: 'The author (never with an email)', additionalProperties: false })
const NeighbourModel = t.Nullable(t.Object({ id: Id, title: t.String(), _links: t.Object({ self: t.String() }) }))

export const PostModel = t.Object(
  {
    id: Id,
    // No maxLength on answers: TypeBox counts UTF-16 units, the limits count characters (src/services/validation.ts).
    title: t.String(),
    summary: t.String({ description: `As written, or the body's first ${LIMITS.derivedSummary} characters when none was.` }),
    body: t.String(),
    timestamp: Time('When the post was written.'),
    updated_at: Time('When the post last changed.'),
    views: Integer({ minimum: 0, description: 'Counted in memory and added to the row within a second.' }),
    author: AuthorModel,
    _links: t.Object({
      self: t.String({ examples: ['/api/posts/1'] }),
      author: t.String({ examples: ['/api/users/1'] }),
    }),
  },
  { description: 'A post', additionalProperties: false },
)

export const PostDetailModel = t.Object(
  {
    ...PostModel.properties,
    _links: t.Object({
      ...PostModel.properties._links.properties,
      next: t.Nullable(t.String({ description: 'The newer post' })),
      prev: t.Nullable(t.String({ description: 'The older post' })),
    }),
    next: NeighbourModel,
    prev: NeighbourModel,
  },
  { description: 'A post, with the newer (next) and older (prev) posts beside it', additionalProperties: false },
)

export const PostListModel = t.Object(
  { items: t.Array(PostModel), _meta: ListMeta, _links: ListLinks },
  { description: 'One page of posts, newest first' },
)

const PostTitle = t.String({ minLength: 1, maxLength: LIMITS.title, description: `Required, at most ${LIMITS.title} characters.` })
const PostBody = t.String({ minLength: 1, maxLength: LIMITS.body, description: `Required, at most ${LIMITS.body.toLocaleString('en')} characters.` })
const PostSummary = t.Nullable(
  t.String({ maxLength: LIMITS.summary, description: `At most ${LIMITS.summary} characters; empty or null: the body's first ${LIMITS.derivedSummary}.` }),
)

export const CreatePostBody = t.Object({ title: PostTitle, summary: t.Optional(PostSummary), body: PostBody })
export const UpdatePostBody = t.Partial(CreatePostBody)
export const PostIdParams = t.Object({ id: t.String({ description: 'The post id' }) })

export const UserListModel = t.Object(
  { items: t.Array(UserModel), _meta: ListMeta, _links: ListLinks },
  { description: 'One page of users, ordered by id' },
)

export const CreateUserBody = t.Object({
  username: t.String({
    ...userInput.username,
    minLength: 1,
    pattern: '^[^:]+$',
    description:
      'Stored in NFKC form: letters, marks and digits of any script, plus . _ -, 1–64 characters, no Latin mixed with Cyrillic or Greek. Unique regardless of case in any script.',
  }),
  email: t.String({ ...userInput.email, format: 'email', description: 'Unique regardless of case in any script; the domain is stored lower-cased.' }),
  password: Password,
})

export const UpdateUserBody = t.Partial(
  t.Object({
    username: CreateUserBody.properties.username,
    email: CreateUserBody.properties.email,
    password: t.String({ ...Password, description: 'Needs old_password; ends every session of this user.' }),
    old_password: Password,
    name: ProfileText(LIMITS.name),
    location: ProfileText(LIMITS.location),
    about_me: ProfileText(LIMITS.aboutMe),
  }),
)

/** The body fields whose REST name is not the services' (the tutorial's snake_case); field errors come back under these. */
export const REST_FIELD_NAMES: Readonly<Record<string, string>> = { oldPassword: 'old_password', aboutMe: 'about_me' }

export const TokenModel = t.Object(
  {
    token: t.String({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expires_at: t.String({ format: 'date-time', description: 'ISO-8601; TOKEN_TTL_SECONDS after issue' }),
  },
  { description: 'A new bearer token' },
)

export const UserIdParams = t.Object({ id: t.String({ description: 'The user id' }) })

export const PageQuery = t.Object({
  page: t.Optional(t.String({ description: 'Page number, from 1 (default 1)' })),
  per_page: t.Optional(t.String({ description: 'Items per page, 1 to 100 (default 10)' })),
})

const ErrorModel = (description: string, withMessage = false) =>
  t.Object(
    {
      error: t.String(),
      ...(withMessage ? { message: t.Union([t.String(), t.Record(t.String(), t.String())]) } : {}),
    },
    { description },
  )

export const Errors = {
  400: ErrorModel('Bad request: a sentence, or one message per field', true),
  401: ErrorModel('Missing, invalid or expired credentials'),
  403: ErrorModel('Not your record'),
  404: ErrorModel('No such record'),
  429: ErrorModel('Too many attempts from this address or on this account: wait the Retry-After seconds', true),
  503: ErrorModel('Password hashing is saturated: wait the Retry-After seconds'),
} as const

export const jsonBody = (schema: TSchema) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** Answered on arrival to any request, before routing: a chunked body (411) or one over MAX_BODY_BYTES (413). */
export const FramingErrors = {
  411: ErrorModel('A chunked body: send a Content-Length'),
  413: ErrorModel('A body over MAX_BODY_BYTES, refused before it is read'),
} as const
