import { Elysia, t } from 'elysia'
import type { Services } from '../services'
import { CheckedInput, checkNewUser, checkUserChanges, checkUserId, type NewUser, type UserChanges } from '../services/input'
import { pageRequest } from '../services/pagination'
import { viewUser, type User } from '../services/users'
import { MESSAGES } from '../services/validation'
import { authentication } from './auth'
import type { clientAddresses } from './client-address'
import { requireJsonType } from './json-body'
import { PageQuery, REST_FIELD_NAMES, jsonBody, models } from './models'

const userPath = (id: number) => `/api/users/${id}`
const listPath = (page: number, perPage: number) => `/api/users?page=${page}&per_page=${perPage}`

export const isoTime = (ms: number) => new Date(ms).toISOString()

/** The tutorial's `to_dict`: the user as the viewer may see them (the email only on their own record), with links. */
export function userResource(user: User, viewer?: Pick<User, 'id'>) {
  const view = viewUser(user, viewer)
  return {
    id: view.id,
    username: view.username,
    ...(view.email === undefined ? {} : { email: view.email }),
    name: view.name,
    location: view.location,
    about_me: view.aboutMe,
    member_since: isoTime(view.memberSince),
    last_seen: isoTime(view.lastSeen ?? view.memberSince),
    posts_count: view.postsCount,
    _links: { self: userPath(user.id), posts: `${userPath(user.id)}/posts` },
  }
}

type Body = Record<string, unknown>

/** Like Flask's `request.get_json()` followed by `if not data`: an empty or non-object body is refused. */
export const isFilledObject = (body: unknown): body is Body =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length > 0

/** The body's fields under the services' names; a field the body does not name stays absent. */
function sentFields(body: Body, names: readonly string[]): Body {
  const sent: Body = {}
  for (const name of names) {
    const restName = REST_FIELD_NAMES[name] ?? name
    if (Object.hasOwn(body, restName)) sent[name] = body[restName]
  }
  return sent
}

const newUser = (body: unknown): CheckedInput<NewUser> =>
  isFilledObject(body) ? checkNewUser(sentFields(body, ['username', 'email', 'password'])) : CheckedInput.refused(MESSAGES.notJson)

const userChanges = (body: unknown): CheckedInput<UserChanges> =>
  isFilledObject(body)
    ? checkUserChanges(sentFields(body, ['username', 'email', 'password', 'oldPassword', 'name', 'location', 'aboutMe']))
    : CheckedInput.refused(MESSAGES.notJson)

export function usersController(services: Services, addresses: ReturnType<typeof clientAddresses>) {
  return new Elysia({ prefix: '/api/users', tags: ['users'] })
    .use(models)
    .use(authentication(services))
    .use(addresses)
    .post(
      '',
      async ({ body, set, status, clientAddress }) => {
        const user = await services.users.register(newUser(body), clientAddress)
        set.headers.location = userPath(user.id)
        return status(201, userResource(user))
      },
      {
        parse: 'json',
        transform: requireJsonType,
        clientAddress: true,
        response: { 201: 'User', 400: 'BadRequest', 429: 'TooManyRequests', 503: 'ServiceUnavailable' },
        detail: {
          summary: 'Register a new user',
          description: 'Needs no token. Usernames and emails are unique regardless of case; the answer links to the new user.',
          security: [],
          requestBody: jsonBody('CreateUserBody'),
        },
      },
    )
    .get(
      '',
      async ({ query }) => {
        const request = pageRequest(query.page, query.per_page)
        const { items, meta } = await services.users.list(request)
        return {
          items: items.map((user) => userResource(user)),
          _meta: { page: meta.page, per_page: meta.perPage, total_pages: meta.totalPages, total_items: meta.totalItems },
          _links: {
            self: listPath(meta.page, meta.perPage),
            next: meta.hasNext ? listPath(meta.page + 1, meta.perPage) : null,
            prev: meta.hasPrev ? listPath(meta.page - 1, meta.perPage) : null,
          },
        }
      },
      {
        bearer: true,
        query: PageQuery,
        response: { 200: 'UserList', 401: 'Unauthorized' },
        detail: {
          summary: 'List users, a page at a time',
          description: 'In id order; nonsense page values fall back to the defaults and per_page is capped at 100.',
        },
      },
    )
    .get('/:id', async ({ params, user }) => userResource(await services.users.get(checkUserId(params.id)), user), {
      bearer: true,
      response: { 200: 'User', 401: 'Unauthorized', 404: 'NotFound' },
      detail: { summary: 'Get one user', description: 'The email is included only on your own record.' },
    })
    .put(
      '/:id',
      async ({ params, body, user, clientAddress }) =>
        userResource(await services.users.update(user, checkUserId(params.id), userChanges(body), clientAddress), user),
      {
        bearer: true,
        clientAddress: true,
        parse: 'json',
        transform: requireJsonType,
        response: {
          200: 'User',
          400: 'BadRequest',
          401: 'Unauthorized',
          403: 'Forbidden',
          404: 'NotFound',
          429: 'TooManyRequests',
          503: 'ServiceUnavailable',
        },
        detail: {
          summary: 'Change your own record',
          description: 'Only the fields given change. A new password needs old_password and ends every session of this user.',
          requestBody: jsonBody('UpdateUserBody'),
        },
      },
    )
    .delete(
      '/:id',
      async ({ params, user, status }) => {
        await services.users.remove(user, checkUserId(params.id))
        return status(204, undefined)
      },
      {
        bearer: true,
        response: { 204: t.Void({ description: 'Deleted, with all its tokens' }), 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' },
        detail: { summary: 'Delete your own account', description: 'Its tokens are revoked with it.' },
      },
    )
}
