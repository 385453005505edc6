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
const Links = t.Object({ self: t.String({ examples: ['/api/users/1'] }) })

export const UserModel = t.Object(
  {
    id: Id,
    username: userColumns.username,
    email: t.Optional(t.String({ ...userColumns.email, description: 'Only on your own record.' })),
    _links: Links,
  },
  { description: 'A user', additionalProperties: false },
)

export const UserListModel = t.Object(
  {
    items: t.Array(UserModel),
    _meta: t.Object({
      page: Integer(),
      per_page: Integer(),
      total_pages: Integer(),
      total_items: Integer(),
    }),
    _links: t.Object({ self: t.String(), next: t.Nullable(t.String()), prev: t.Nullable(t.String()) }),
  },
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
  }),
)

/** The body fields whose REST name is not the services' (the tutorial's snake_case); field errors come back under these. */
export const REST_FIELD_NAMES: Readonly<Record<string, string>> = { oldPassword: 'old_password' }

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
  404: ErrorModel('No such user'),
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
