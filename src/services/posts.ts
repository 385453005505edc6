import type { Post, PostTitle } from '../db/posts'
import { andThen, type Awaitable, type PostRefusal, type Store } from '../db/store'
import type { User } from '../db/users'
import type { DeferredWrites } from './deferred-writes'
import { ForbiddenError, NotFoundError } from './errors'
import type { CheckedInput, NewPost, PostChanges } from './input'
import { pageMeta, type PageMeta, type PageRequest } from './pagination'
import type { IdRange } from './users'
import { LIMITS } from './validation'

export type { Post } from '../db/posts'

/** A post as every face shows it: its summary filled in, its views counting those not yet written. */
export interface PostView extends Omit<Post, 'summary'> {
  summary: string
}

const SURROGATE = /[\uD800-\uDFFF]/

/** The body's first LIMITS.derivedSummary characters, never cutting a character (a surrogate pair) in two. */
export function derivedSummary(body: string): string {
  // Mostly no character there lies outside the BMP, and then characters are UTF-16 units: no walk needed.
  const start = body.slice(0, LIMITS.derivedSummary)
  if (!SURROGATE.test(start)) return start
  let end = 0
  let count = 0
  for (const character of body) {
    if (count++ === LIMITS.derivedSummary) break
    end += character.length
  }
  return body.slice(0, end)
}

const notFound = () => new NotFoundError('Post not found')

function refuse(outcome: PostRefusal): never {
  if (outcome === 'gone') throw notFound()
  throw new ForbiddenError('Not your post')
}

export function createPostService(store: Store, deferred: DeferredWrites) {
  // Field by field: a spread copies by the property protocol, several times dearer on a page of twenty.
  const view = (post: Post): PostView => ({
    id: post.id,
    title: post.title,
    summary: post.summary ?? derivedSummary(post.body),
    body: post.body,
    authorId: post.authorId,
    timestamp: post.timestamp,
    updatedAt: post.updatedAt,
    views: post.views + deferred.pendingViews(post.id),
  })

  const found = (post: Post | undefined): PostView => {
    if (!post) throw notFound()
    return view(post)
  }

  const get = (id: number): Awaitable<PostView> => andThen(store.post(id), found)

  /** A reader opening the post: counted as a view, written later (./deferred-writes.ts); with its neighbours. */
  function read(id: number): Awaitable<{ post: PostView; newer?: PostTitle; older?: PostTitle }> {
    const row = store.post(id)
    const neighbours = store.neighbours(id)
    // Asked together (side by side on PostgreSQL), and either one failing fails the read.
    const both = row instanceof Promise || neighbours instanceof Promise ? Promise.all([row, neighbours]) : ([row, neighbours] as const)
    return andThen(both, ([row, { newer, older }]) => {
      const opened = found(row)
      deferred.view(id)
      opened.views += 1
      return { post: opened, newer, older }
    })
  }

  async function create(author: User, input: CheckedInput<NewPost>): Promise<PostView> {
    const { title, summary, body } = input.accept()
    return view(await store.insertPost({ title, summary, body, authorId: author.id }))
  }

  /** Only its author; a 404 before the 403, and both before any field message (the users' order). */
  async function update(actor: User, id: number, input: CheckedInput<PostChanges>): Promise<PostView> {
    const post = await get(id)
    if (post.authorId !== actor.id) throw new ForbiddenError('Not your post')
    const outcome = await store.updatePost(id, actor.id, input.accept())
    return typeof outcome === 'string' ? refuse(outcome) : view(outcome)
  }

  async function remove(actor: User, id: number): Promise<void> {
    const outcome = await store.removePost(id, actor.id)
    if (outcome !== true) refuse(outcome)
  }

  async function list(request: PageRequest): Promise<{ items: PostView[]; meta: PageMeta }> {
    const { items, total } = await store.postPage((request.page - 1) * request.perPage, request.perPage)
    return { items: items.map(view), meta: pageMeta(request, total) }
  }

  /** An author's posts, newest first; their total is the author's kept posts_count. */
  async function listByAuthor(author: User, request: PageRequest): Promise<{ items: PostView[]; meta: PageMeta }> {
    const items = await store.authorPosts(author.id, (request.page - 1) * request.perPage, request.perPage)
    return { items: items.map(view), meta: pageMeta(request, author.postsCount) }
  }

  /**
   * Keyset page newest first: up to `limit` posts (of `author`, if given) with ids strictly below `afterId`'s and
   * above `beforeId`'s, taken from the newest end or (`fromOldest`) the oldest, always returned newest first.
   */
  function slice(author: number | undefined, range: IdRange, limit: number, fromOldest: boolean): Awaitable<{ items: PostView[]; more: boolean }> {
    return andThen(store.postsBetween(author, range.beforeId ?? 0, range.afterId ?? Number.MAX_SAFE_INTEGER, limit + 1, fromOldest), (rows) => {
      const items = rows.slice(0, limit).map(view)
      return { items: fromOldest ? items.reverse() : items, more: rows.length > limit }
    })
  }

  /** Whether any post (of `author`) lies beyond a keyset bound: newer than `id` ('above') or older ('below'). */
  const anyBeyond = (author: number | undefined, id: number, side: 'below' | 'above'): Awaitable<boolean> => store.anyPostBeyond(author, id, side)

  /** The authors of these posts, in one statement however many there are. */
  function authorsOf(items: readonly Pick<Post, 'authorId'>[]): Awaitable<Map<number, User>> {
    const ids = [...new Set(items.map((post) => post.authorId))]
    return andThen(store.users(ids), (users) => new Map(users.map((user) => [user.id, user])))
  }

  /** The one author of a post (a deleted author takes their posts with them). */
  function authorOf(post: Pick<Post, 'authorId'>): Awaitable<User> {
    return andThen(store.user(post.authorId), (author) => {
      if (!author) throw notFound()
      return author
    })
  }

  return { get, read, create, authorsOf, authorOf, update, remove, list, listByAuthor, slice, anyBeyond, count: (): Awaitable<number> => store.postCount() }
}

export type PostService = ReturnType<typeof createPostService>
