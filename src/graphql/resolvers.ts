import { CheckedInput, checkNewUser, checkUserChanges, checkUserId, type UserChanges } from '../services/input'
import { viewUser } from '../services/users'
import { userConnection, type ConnectionArgs } from './connection'
import type { GraphqlContext } from './context'

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

/** Thin on purpose: each resolver is one service call, so REST and GraphQL obey the same rules. */
export const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, context: GraphqlContext) => {
      const viewer = context.viewer()
      return viewUser(viewer, viewer)
    },
    // The caller first: a stranger learns nothing, not even which ids exist (REST's 401 for every id).
    user: (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      const viewer = context.viewer()
      return viewUser(context.services.users.get(checkUserId(id)), viewer)
    },
    users: (_: unknown, args: ConnectionArgs, context: GraphqlContext) => {
      const viewer = context.viewer()
      return userConnection(context.services.users, args, (user) => viewUser(user, viewer))
    },
  },
  UserConnection: {
    // Counting is the page's dearest query: only when the field is asked for.
    totalCount: (_: unknown, __: unknown, context: GraphqlContext) => context.services.users.count(),
  },
  Mutation: {
    createUser: async (_: unknown, { input }: { input: CreateUserInput }, context: GraphqlContext) =>
      viewUser(await context.services.users.register(checkNewUser(input), context.clientAddress), undefined),
    updateUser: async (_: unknown, args: { id: string; input: UpdateUserInput }, context: GraphqlContext) => {
      const viewer = context.viewer()
      const user = await context.services.users.update(viewer, checkUserId(args.id), userChanges(args.input), context.clientAddress)
      return viewUser(user, viewer)
    },
    deleteUser: (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      context.services.users.remove(context.viewer(), checkUserId(id))
      return true
    },
    createToken: async (_: unknown, credentials: { username: string; password: string }, context: GraphqlContext) => {
      const { token, expiresAt } = await context.services.tokens.login(credentials, context.clientAddress)
      return { token, expiresAt: expiresAt.toISOString() }
    },
    revokeToken: (_: unknown, __: unknown, context: GraphqlContext) => {
      context.services.tokens.revoke(context.token())
      return true
    },
  },
}
