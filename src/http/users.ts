import { Elysia, t } from 'elysia'
import { NotFoundError } from '../services/errors'
import type { Services } from '../services'
import { pageRequest } from '../services/pagination'
import { viewUser, type User } from '../services/users'
import { authentication } from './auth'
import { requireJsonType } from './json-body'
import type { ClientAddress } from './client-address'
import { CreateUserBody, Errors, PageQuery, UpdateUserBody, UserIdParams, UserListModel, UserModel, jsonBody } from './models'

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
        response: { 201: UserModel, 400: Errors[400], 429: Errors[429], 503: Errors[503] },
        detail: { summary: 'Register a new user', requestBody: jsonBody(CreateUserBody) },
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
        response: { 200: UserListModel, 401: Errors[401] },
        detail: { summary: 'List users, a page at a time' },
      },
    )
    .get('/:id', ({ params, user }) => userResource(services.users.get(parseId(params.id)), user), {
      bearer: true,
      params: UserIdParams,
      response: { 200: UserModel, 401: Errors[401], 404: Errors[404] },
      detail: { summary: 'Get one user (email only on your own record)' },
    })
    .put(
      '/:id',
      async ({ params, body, user, request, server }) =>
        userResource(await services.users.update(user, parseId(params.id), body, clientAddress(request, server)), user),
      {
        bearer: true,
        parse: 'json',
        transform: requireJsonType,
        params: UserIdParams,
        response: {
          200: UserModel,
          400: Errors[400],
          401: Errors[401],
          403: Errors[403],
          404: Errors[404],
          429: Errors[429],
          503: Errors[503],
        },
        detail: { summary: 'Change your own record', requestBody: jsonBody(UpdateUserBody) },
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
        params: UserIdParams,
        response: { 204: t.Void({ description: 'Deleted, with all its tokens' }), 401: Errors[401], 403: Errors[403], 404: Errors[404] },
        detail: { summary: 'Delete your own account' },
      },
    )
}
