import { andThen, type Awaitable } from '../db/store'
import { NotFoundError } from '../services/errors'
import { CheckedInput, checkNewPost, checkNewUser, checkPostChanges, checkUserChanges, type PostChanges, type UserChanges } from '../services/input'
import type { PostView } from '../services/posts'
import { viewUser, type User, type UserView } from '../services/users'
import { postConnection, userConnection, type ConnectionArgs, type PostConnection } from './connection'
import type { GraphqlContext } from './context'
import { DateTime } from './date-time'
import { decodeGlobalId, encodeGlobalId, type NodeType } from './ids'

interface CreateUserInput {
  username: string
  email: string
  password: string
}

interface UpdateUserInput {
  username?: string | null
  email?: string | null
  password?: string | null
  oldPassword?: string | null
  name?: string | null
  location?: string | null
  aboutMe?: string | null
}

interface PostInput {
  title?: string | null
  summary?: string | null
  body?: string | null
}

const NOTHING_SET = 'The input must set at least one field.'

/** The input's own fields are the services' names; one that sets none is refused in GraphQL's words. */
const userChanges = (input: UpdateUserInput): CheckedInput<UserChanges> =>
  Object.keys(input).length === 0 ? CheckedInput.refused(NOTHING_SET) : checkUserChanges(input)

/**
 * The row a global id of `type` names; anything else (another type's id, a REST integer, noise) names no such row,
 * as REST's `<int:id>` route answers 404.
 */
const databaseIdOf = (type: NodeType, notFound: string) => (globalId: string): number => {
  const decoded = decodeGlobalId(globalId)
  if (decoded?.type !== type) throw new NotFoundError(notFound)
  return decoded.id
}
const userId = databaseIdOf('User', 'User not found')
const postId = databaseIdOf('Post', 'Post not found')

/** How `node(id:)` fetches each type; a global id of a type or row that does not exist is null, as Relay says. */
const NODE_LOADERS: Record<NodeType, (id: number, context: GraphqlContext) => Awaitable<object>> = {
  User: (id, context) => andThen(context.services.users.get(id), (user) => ({ __typename: 'User', ...viewUser(user, context.viewer()) })),
  Post: async (id, context) => ({ __typename: 'Post', ...(await context.services.posts.get(id)) }),
}

const missingIsNull = (error: unknown) => {
  if (error instanceof NotFoundError) return null
  throw error
}

function node(globalId: string, context: GraphqlContext): Awaitable<object | null> {
  context.viewer()
  const decoded = decodeGlobalId(globalId)
  if (!decoded) return null
  try {
    const found = NODE_LOADERS[decoded.type](decoded.id, context)
    return found instanceof Promise ? found.catch(missingIsNull) : found
  } catch (error) {
    return missingIsNull(error)
  }
}

const postChanges = (input: PostInput): CheckedInput<PostChanges> =>
  Object.keys(input).length === 0 ? CheckedInput.refused(NOTHING_SET) : checkPostChanges(input)


/** Posts newest first: every post, or (`author`) one author's, whose total is their kept posts_count. */
const posts = (context: GraphqlContext, args: ConnectionArgs, author?: Pick<User, 'id' | 'postsCount'>) =>
  postConnection<PostView>(
    {
      slice: (range, limit, fromOldest) =>
        andThen(context.services.posts.slice(author?.id, range, limit, fromOldest), (page) => {
          context.authors.expect(page.items)
          return page
        }),
      anyBeyond: (id, side) => context.services.posts.anyBeyond(author?.id, id, side),
      id: (post) => post.id,
      totalCount: () => author?.postsCount ?? context.services.posts.count(),
    },
    args,
  )

/** Thin on purpose: each resolver is one service call, so REST and GraphQL obey the same rules. */
export const resolvers = {
  DateTime,
  Node: { __resolveType: (value: { __typename: string }) => value.__typename },
  User: {
    id: (user: UserView) => encodeGlobalId('User', user.id),
    databaseId: (user: UserView) => user.id,
    lastSeen: (user: UserView) => user.lastSeen ?? user.memberSince,
    posts: (user: UserView, args: ConnectionArgs, context: GraphqlContext) => posts(context, args, user),
  },
  Post: {
    id: (post: PostView) => encodeGlobalId('Post', post.id),
    databaseId: (post: PostView) => post.id,
    // Batched: a page's authors are one statement, however many posts ask (./authors.ts).
    author: (post: PostView, _: unknown, context: GraphqlContext) =>
      andThen(context.authors.load(post.authorId), (author) => {
        if (!author) throw new NotFoundError('Post not found')
        return viewUser(author, context.reader())
      }),
  },
  PostConnection: {
    edges: (connection: PostConnection) => connection.edges(),
    nodes: (connection: PostConnection) => connection.nodes(),
    pageInfo: (connection: PostConnection) => connection.pageInfo(),
    totalCount: (connection: PostConnection) => connection.totalCount(),
  },
  Query: {
    node: (_: unknown, { id }: { id: string }, context: GraphqlContext) => node(id, context),
    nodes: (_: unknown, { ids }: { ids: string[] }, context: GraphqlContext) => ids.map((id) => node(id, context)),
    me: (_: unknown, __: unknown, context: GraphqlContext) => {
      const viewer = context.viewer()
      return viewUser(viewer, viewer)
    },
    // The caller first: a stranger learns nothing, not even which ids exist (REST's 401 for every id).
    user: (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      const viewer = context.viewer()
      return andThen(context.services.users.get(userId(id)), (user) => viewUser(user, viewer))
    },
    users: (_: unknown, args: ConnectionArgs, context: GraphqlContext) => {
      const viewer = context.viewer()
      return userConnection(context.services.users, args, (user) => viewUser(user, viewer))
    },
    post: async (_: unknown, { id }: { id: string }, context: GraphqlContext) => (await context.services.posts.read(postId(id))).post,
    posts: (_: unknown, args: ConnectionArgs, context: GraphqlContext) => posts(context, args),
  },
  UserConnection: {
    nodes: (connection: { edges: { node: UserView }[] }) => connection.edges.map((edge) => edge.node),
    // Counting is the page's dearest query: only when the field is asked for.
    totalCount: (_: unknown, __: unknown, context: GraphqlContext) => context.services.users.count(),
  },
  Mutation: {
    createUser: async (_: unknown, { input }: { input: CreateUserInput }, context: GraphqlContext) =>
      viewUser(await context.services.users.register(checkNewUser(input), context.clientAddress), undefined),
    updateUser: async (_: unknown, args: { id: string; input: UpdateUserInput }, context: GraphqlContext) => {
      const viewer = context.viewer()
      const user = await context.services.users.update(viewer, userId(args.id), userChanges(args.input), context.clientAddress)
      return viewUser(user, viewer)
    },
    deleteUser: async (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      await context.services.users.remove(context.viewer(), userId(id))
      return true
    },
    createToken: async (_: unknown, credentials: { username: string; password: string }, context: GraphqlContext) => {
      const { token, expiresAt } = await context.services.tokens.login(credentials, context.clientAddress)
      return { token, expiresAt }
    },
    revokeToken: async (_: unknown, __: unknown, context: GraphqlContext) => {
      await context.services.tokens.revoke(context.token())
      return true
    },
    createPost: (_: unknown, { input }: { input: PostInput }, context: GraphqlContext) =>
      context.services.posts.create(context.viewer(), checkNewPost(input)),
    updatePost: (_: unknown, args: { id: string; input: PostInput }, context: GraphqlContext) => {
      const viewer = context.viewer()
      return context.services.posts.update(viewer, postId(args.id), postChanges(args.input))
    },
    deletePost: async (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      const viewer = context.viewer()
      await context.services.posts.remove(viewer, postId(id))
      return true
    },
  },
}
