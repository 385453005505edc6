import { Elysia, t } from 'elysia'
import type { Services } from '../services'
import { CheckedInput, checkNewPost, checkPostChanges, checkPostId, checkUserId, type NewPost, type PostChanges } from '../services/input'
import { pageRequest, type PageMeta } from '../services/pagination'
import type { PostView } from '../services/posts'
import type { User } from '../services/users'
import { MESSAGES } from '../services/validation'
import { andThen } from '../db/store'
import { authentication } from './auth'
import { requireJsonType } from './json-body'
import { PageQuery, jsonBody, models } from './models'
import { isFilledObject, isoTime, userResource } from './users'

const postPath = (id: number) => `/api/posts/${id}`
const pagePath = (base: string, page: number, perPage: number) => `${base}?page=${page}&per_page=${perPage}`

type AuthorResource = ReturnType<typeof userResource>

/** The tutorial's Post `to_dict`: the post, its author as the user resource (never with an email), and links. */
export const postResource = (post: PostView, author: User, authorResource: AuthorResource = userResource(author)) => ({
  id: post.id,
  title: post.title,
  summary: post.summary,
  body: post.body,
  timestamp: isoTime(post.timestamp),
  updated_at: isoTime(post.updatedAt),
  views: post.views,
  author: authorResource,
  _links: { self: postPath(post.id), author: `/api/users/${post.authorId}` },
})

const neighbour = (post: { id: number; title: string } | undefined) => post && { id: post.id, title: post.title, _links: { self: postPath(post.id) } }

/** `{items, _meta, _links}`, the page shape of users too; each post with its author. */
function postPage(base: string, { items, meta }: { items: PostView[]; meta: PageMeta }, authors: ReadonlyMap<number, User>) {
  // Each author's resource built once for the page, however many of its posts they wrote.
  const resources = new Map<number, AuthorResource>()
  const resourceOf = (id: number) => resources.get(id) ?? resources.set(id, userResource(authors.get(id)!)).get(id)!
  return {
    items: items.map((post) => postResource(post, authors.get(post.authorId)!, resourceOf(post.authorId))),
    _meta: { page: meta.page, per_page: meta.perPage, total_pages: meta.totalPages, total_items: meta.totalItems },
    _links: {
      self: pagePath(base, meta.page, meta.perPage),
      next: meta.hasNext ? pagePath(base, meta.page + 1, meta.perPage) : null,
      prev: meta.hasPrev ? pagePath(base, meta.page - 1, meta.perPage) : null,
    },
  }
}

/** The body's own fields only (a smuggled `__proto__` or `author_id` is no field of a post). */
const sentPost = (body: Record<string, unknown>) => {
  const sent: Record<string, unknown> = {}
  for (const name of ['title', 'summary', 'body'] as const) if (Object.hasOwn(body, name)) sent[name] = body[name]
  return sent
}

const newPost = (body: unknown): CheckedInput<NewPost> =>
  isFilledObject(body) ? checkNewPost(sentPost(body)) : CheckedInput.refused(MESSAGES.notJson)
const postChanges = (body: unknown): CheckedInput<PostChanges> =>
  isFilledObject(body) ? checkPostChanges(sentPost(body)) : CheckedInput.refused(MESSAGES.notJson)

const ListQuery = { query: PageQuery, response: { 200: 'PostList' } } as const

export function postsController(services: Services) {
  // Every author of the page in one statement.
  const list = async ({ query }: { query: { page?: string; per_page?: string } }) => {
    const page = await services.posts.list(pageRequest(query.page, query.per_page))
    return postPage('/api/posts', page, await services.posts.authorsOf(page.items))
  }
  return new Elysia({ name: 'posts', tags: ['posts'] })
    .use(models)
    .use(authentication(services))
    .post(
      '/api/posts',
      async ({ body, set, status, user }) => {
        const post = await services.posts.create(user, newPost(body))
        set.headers.location = postPath(post.id)
        // The author read again: their posts_count now counts this post.
        return status(201, postResource(post, await services.posts.authorOf(post)))
      },
      {
        bearer: true,
        parse: 'json',
        transform: requireJsonType,
        response: { 201: 'Post', 400: 'BadRequest', 401: 'Unauthorized' },
        detail: { summary: 'Write a post', description: 'As the bearer; the answer links to the new post.', requestBody: jsonBody('CreatePostBody') },
      },
    )
    .get('/api/posts', list, {
      ...ListQuery,
      detail: { summary: 'List posts', description: 'Needs no token; newest first, each with its author (no email).', security: [] },
    })
    .get('/api/posts/', list, { ...ListQuery, detail: { summary: 'List posts (the same, with a trailing slash)', hide: true } })
    .get(
      '/api/posts/:id',
      ({ params }) =>
        andThen(services.posts.read(checkPostId(params.id)), ({ post, newer, older }) =>
          andThen(services.posts.authorOf(post), (author) => {
            const resource = postResource(post, author)
            // In place: `_links` keeps its position in the answer, and no copy of the post is made.
            return Object.assign(resource, {
              _links: { ...resource._links, next: newer ? postPath(newer.id) : null, prev: older ? postPath(older.id) : null },
              next: neighbour(newer) ?? null,
              prev: neighbour(older) ?? null,
            })
          }),
        ),
      {
        response: { 200: 'PostDetail', 404: 'NotFound' },
        detail: { summary: 'Read one post', description: 'Needs no token; counts a view; with the newer and older posts beside it.', security: [] },
      },
    )
    .put(
      '/api/posts/:id',
      async ({ params, body, user }) => postResource(await services.posts.update(user, checkPostId(params.id), postChanges(body)), user),
      {
        bearer: true,
        parse: 'json',
        transform: requireJsonType,
        response: { 200: 'Post', 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' },
        detail: { summary: 'Change your own post', description: 'Only its author; only the fields given change.', requestBody: jsonBody('UpdatePostBody') },
      },
    )
    .delete(
      '/api/posts/:id',
      async ({ params, user, status }) => {
        await services.posts.remove(user, checkPostId(params.id))
        return status(204, undefined)
      },
      {
        bearer: true,
        response: { 204: t.Void({ description: 'Deleted' }), 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' },
        detail: { summary: 'Delete your own post', description: 'Only its author.' },
      },
    )
    .get(
      '/api/users/:id/posts',
      async ({ params, query }) => {
        const author = await services.users.get(checkUserId(params.id))
        const base = `/api/users/${author.id}/posts`
        return postPage(base, await services.posts.listByAuthor(author, pageRequest(query.page, query.per_page)), new Map([[author.id, author]]))
      },
      {
        query: PageQuery,
        response: { 200: 'PostList', 404: 'NotFound' },
        detail: { summary: "One author's posts", description: 'Needs no token; newest first, a page at a time.', security: [] },
      },
    )
}
