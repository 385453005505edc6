import { Type } from '@sinclair/typebox'
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
const Links = t.Object({ self: t.String({ examples: ['/api/users/1'] }) })

const User = t.Object(
  {
    id: Id,
    username: userColumns.username,
    email: t.Optional(t.String({ ...userColumns.email, description: 'Only on your own record.' })),
    _links: Links,
  },
  { description: 'A user', additionalProperties: false },
)

const UserList = t.Object(
  {
    items: t.Array(User),
    _meta: t.Object({
      page: Integer(),
      per_page: Integer(),
      total_pages: Integer(),
      total_items: Integer(),
    }),
    _links: t.Object({ self: t.String(), next: t.Union([t.String(), t.Null()]), prev: t.Union([t.String(), t.Null()]) }),
  },
  { description: 'One page of users, ordered by id' },
)

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
  }),
  { description: 'Only the fields given change' },
)

/** The body fields whose REST name is not the services' (the tutorial's snake_case); field errors come back under these. */
export const REST_FIELD_NAMES: Readonly<Record<string, string>> = { oldPassword: 'old_password' }

const Token = t.Object(
  {
    token: t.String({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expires_at: t.String({ format: 'date-time', description: 'ISO-8601; TOKEN_TTL_SECONDS after issue' }),
  },
  { description: 'A new bearer token' },
)

// One message, or one per field; a map rather than a pattern so every client generator types it.
const Message = t.Union([t.String(), t.Object({}, { additionalProperties: t.String() })])
const ErrorModel = (description: string, withMessage = false) =>
  t.Object({ error: t.String(), ...(withMessage ? { message: Message } : {}) }, { description })

/**
 * Every request and response shape, by the name the OpenAPI document gives it under components/schemas
 * (generated clients get these names). Routes refer to them by name.
 */
export const models = new Elysia({ name: 'models' }).model({
  User,
  UserList,
  CreateUserBody,
  UpdateUserBody,
  Token,
  BadRequest: ErrorModel('Bad request: a sentence, or one message per field', true),
  Unauthorized: ErrorModel('Missing, invalid or expired credentials (see WWW-Authenticate)'),
  Forbidden: ErrorModel('Not your record'),
  NotFound: ErrorModel('No such user'),
  MethodNotAllowed: ErrorModel('This path does not serve that method: Allow lists those it does'),
  LengthRequired: ErrorModel('A chunked body: send a Content-Length'),
  PayloadTooLarge: ErrorModel('A body over MAX_BODY_BYTES, refused before it is read'),
  TooManyRequests: ErrorModel('Too many attempts from this address or on this account: wait the Retry-After seconds', true),
  ServiceUnavailable: ErrorModel('Password hashing is saturated: wait the Retry-After seconds'),
  NotReady: ErrorModel('Not ready: the message says why (the database does not answer, its file was replaced, or migrations are pending)', true),
})

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
  id: Integer({ minimum: 1, description: 'The user id', examples: [1] }),
  page: Integer({ minimum: 1, default: 1, description: 'Page number, from 1' }),
  per_page: Integer({ minimum: 1, maximum: 100, default: 10, description: 'Items per page, 1 to 100' }),
} as const

/** Lists the list's query parameters; PARAMETERS types them in the document. */
export const PageQuery = t.Object({ page: t.Optional(t.String()), per_page: t.Optional(t.String()) })
