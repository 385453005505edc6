import { describe, expect, test } from 'bun:test'
import type { Services } from '../../src/services'
import type { User } from '../../src/services/users'
import { authorLoader } from '../../src/graphql/authors'

const user = (id: number) => ({ id, username: `u${id}` }) as User

/** A loader over a fake posts service that records each batch of author ids it is asked for. */
function recorded(answer: (ids: number[]) => Map<number, User> | Promise<Map<number, User>>) {
  const batches: number[][] = []
  const services = {
    posts: {
      authorsOf: (posts: readonly { authorId: number }[]) => {
        const ids = posts.map((post) => post.authorId)
        batches.push(ids)
        return answer(ids)
      },
    },
  } as unknown as Services
  return { loader: authorLoader(services), batches }
}
const found = (ids: number[]) => new Map(ids.filter((id) => id !== 404).map((id) => [id, user(id)]))

describe('authors of posts', () => {
  test("a page's authors are one batch, answered at once when the store answers at once", () => {
    const { loader, batches } = recorded(found)
    loader.expect([{ authorId: 1 }, { authorId: 2 }, { authorId: 1 }, { authorId: 3 }])
    expect(loader.load(2)).toEqual(user(2))
    expect(loader.load(1)).toEqual(user(1))
    expect(loader.load(3)).toEqual(user(3))
    expect(batches).toEqual([[1, 2, 3]])
  })

  test('an author no page announced is a batch of its own; a known one is never fetched again', () => {
    const { loader, batches } = recorded(found)
    expect(loader.load(7)).toEqual(user(7))
    loader.expect([{ authorId: 7 }, { authorId: 8 }])
    expect(loader.load(7)).toEqual(user(7))
    expect(loader.load(8)).toEqual(user(8))
    expect(batches).toEqual([[7], [8]])
  })

  test('a deleted author is undefined, not an error of the whole batch', () => {
    const { loader } = recorded(found)
    loader.expect([{ authorId: 404 }, { authorId: 5 }])
    expect(loader.load(404)).toBeUndefined()
    expect(loader.load(5)).toEqual(user(5))
  })

  test('on an asynchronous store, a failed batch fails the posts that ask and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const { loader } = recorded(async () => {
        throw new Error('connection lost')
      })
      loader.expect([{ authorId: 1 }, { authorId: 2 }])
      await expect(loader.load(1)).rejects.toThrow('connection lost')
      // Rejections nobody handled are reported once the microtasks have run.
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
