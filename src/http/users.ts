import { Elysia, t } from 'elysia'
import { NotFoundError } from '../services/errors'
import type { Services } from '../services'
import { pageRequest } from '../services/pagination'
import { viewUser, type User } from '../services/users'
import { authentication } from './auth'
import { requireJsonType } from './json-body'
import type { ClientAddress } from './client-address'
import { PageQuery, jsonBody, models } from './models'

const userPath = (id: number) => `/api/users/${id}`
const listPath = (page: number, perPage: number) => `/api/users?page=${page}&per_page=${perPage}`

/** The tutorial's `to_dict`: the user as the viewer may see them, with a link to itself. */
export const userResource = (user: User, viewer?: User) => ({ ...viewUser(user, viewer), _links: { self: userPath(user.id) } })

/** Flask's `<int:id>` converter: anything but a plain positive integer is no route at all. */
function parseId(raw: string): number {
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0
  if (id < 1) throw new NotFoundError('User not found')
  return id
}

export function usersController(services: Services, clientAddress: ClientAddress) {
  return new Elysia({ prefix: '/api/users', tags: ['users'] })
    .use(models)
    .use(authentication(services))
    .post(
      '',
      async ({ body, set, status, request, server }) => {
        const user = await services.users.register(body, clientAddress(request, server))
        set.headers.location = userPath(user.id)
        return status(201, userResource(user))
      },
      {
        parse: 'json',
        transform: requireJsonType,
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
      ({ query }) => {
        const request = pageRequest(query.page, query.per_page)
        const { items, meta } = services.users.list(request)
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
    .get('/:id', ({ params, user }) => userResource(services.users.get(parseId(params.id)), user), {
      bearer: true,
      response: { 200: 'User', 401: 'Unauthorized', 404: 'NotFound' },
      detail: { summary: 'Get one user', description: 'The email is included only on your own record.' },
    })
    .put(
      '/:id',
      async ({ params, body, user, request, server }) =>
        userResource(await services.users.update(user, parseId(params.id), body, clientAddress(request, server)), user),
      {
        bearer: true,
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
      ({ params, user, status }) => {
        services.users.remove(user, parseId(params.id))
        return status(204, undefined)
      },
      {
        bearer: true,
          response: { 204: t.Void({ description: 'Deleted, with all its tokens' }), 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' },
        detail: { summary: 'Delete your own account', description: 'Its tokens are revoked with it.' },
      },
    )
}
