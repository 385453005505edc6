import { andThen, type Awaitable } from '../db/store'
import { NotFoundError } from '../services/errors'
import { CheckedInput, checkNewUser, checkUserChanges, type UserChanges } from '../services/input'
import { viewUser, type UserView } from '../services/users'
import { userConnection, type ConnectionArgs } from './connection'
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
}

const NOTHING_SET = 'The input must set at least one field.'

/** The input's own fields are the services' names; one that sets none is refused in GraphQL's words. */
const userChanges = (input: UpdateUserInput): CheckedInput<UserChanges> =>
  Object.keys(input).length === 0 ? CheckedInput.refused(NOTHING_SET) : checkUserChanges(input)

/** A user's global id; anything else names no user, as REST's `<int:id>` route answers 404. */
function userId(globalId: string): number {
  const decoded = decodeGlobalId(globalId)
  if (decoded?.type !== 'User') throw new NotFoundError('User not found')
  return decoded.id
}

/** How `node(id:)` fetches each type; a global id of a type or row that does not exist is null, as Relay says. */
const NODE_LOADERS: Record<NodeType, (id: number, context: GraphqlContext) => Awaitable<object>> = {
  User: (id, context) => andThen(context.services.users.get(id), (user) => ({ __typename: 'User', ...viewUser(user, context.viewer()) })),
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

/** Thin on purpose: each resolver is one service call, so REST and GraphQL obey the same rules. */
export const resolvers = {
  DateTime,
  Node: { __resolveType: (value: { __typename: string }) => value.__typename },
  User: {
    id: (user: UserView) => encodeGlobalId('User', user.id),
    databaseId: (user: UserView) => user.id,
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
  },
}
