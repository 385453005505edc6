import { andThen, type Awaitable } from '../db/store'
import type { Services } from '../services'
import type { User } from '../services/users'

/** Posts' authors for one request: each page's authors in one statement, however many of its posts ask. */
export interface AuthorLoader {
  /** A page of posts has been read: their authors are fetched together when the first of them is asked for. */
  expect(posts: readonly { authorId: number }[]): void
  load(authorId: number): Awaitable<User | undefined>
}

/**
 * Batches by page rather than by tick (as a DataLoader would): a page's posts are all known before any of their
 * authors is resolved, so the first `load` fetches them all, and on SQLite every `load` answers synchronously,
 * with no promise per post.
 */
export function authorLoader(services: Services): AuthorLoader {
  const loaded = new Map<number, Awaitable<User | undefined>>()
  let pending = new Set<number>()
  return {
    expect(posts) {
      for (const { authorId } of posts) if (!loaded.has(authorId)) pending.add(authorId)
    },
    load(authorId) {
      if (loaded.has(authorId)) return loaded.get(authorId)
      const ids = pending.add(authorId)
      pending = new Set()
      const batch = services.posts.authorsOf([...ids].map((id) => ({ authorId: id })))
      for (const id of ids) {
        const author = andThen(batch, (found) => found.get(id))
        // A failed batch fails the posts that ask; the ones nobody asks for must not end the process unhandled.
        if (author instanceof Promise) author.catch(() => {})
        loaded.set(id, author)
      }
      return loaded.get(authorId)
    },
  }
}
