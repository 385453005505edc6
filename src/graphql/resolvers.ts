import { NotFoundError } from '../services/errors'
import { viewUser, type User } from '../services/users'
import { userConnection, type ConnectionArgs } from './connection'
import type { GraphqlContext } from './context'
import { withDomainErrors } from './errors'

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

/** IDs are REST's integer ids; anything else names no user, as REST's `<int:id>` route answers 404. */
function userId(raw: string): number {
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0
  if (id < 1) throw new NotFoundError('User not found')
  return id
}

/** The update body as REST receives it, so the service applies one set of rules to both faces. */
function restUpdateBody({ oldPassword, ...rest }: UpdateUserInput) {
  return oldPassword === undefined ? rest : { ...rest, old_password: oldPassword }
}

const view = (user: User, context: GraphqlContext) => viewUser(user, context.viewer())

/** Thin on purpose: each resolver is one service call, so REST and GraphQL obey the same rules. */
export const resolvers = withDomainErrors({
  Query: {
    me: (_: unknown, __: unknown, context: GraphqlContext) => view(context.viewer(), context),
    // The caller first: a stranger learns nothing, not even which ids exist (REST's 401 for every id).
    user: (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      const viewer = context.viewer()
      return viewUser(context.services.users.get(userId(id)), viewer)
    },
    users: (_: unknown, args: ConnectionArgs, context: GraphqlContext) => {
      const viewer = context.viewer()
      const connection = userConnection(context.services.users, args)
      return { ...connection, edges: connection.edges.map((edge) => ({ ...edge, node: viewUser(edge.node, viewer) })) }
    },
  },
  Mutation: {
    createUser: async (_: unknown, { input }: { input: CreateUserInput }, context: GraphqlContext) =>
      viewUser(await context.services.users.register(input, context.client), undefined),
    updateUser: async (_: unknown, args: { id: string; input: UpdateUserInput }, context: GraphqlContext) => {
      const viewer = context.viewer()
      return viewUser(await context.services.users.update(viewer, userId(args.id), restUpdateBody(args.input), context.client), viewer)
    },
    deleteUser: (_: unknown, { id }: { id: string }, context: GraphqlContext) => {
      context.services.users.remove(context.viewer(), userId(id))
      return true
    },
    createToken: async (_: unknown, args: { username: string; password: string }, context: GraphqlContext) => {
      const { token, expiresAt } = await context.services.tokens.login(args.username, args.password, context.client)
      return { token, expiresAt: expiresAt.toISOString() }
    },
    revokeToken: (_: unknown, __: unknown, context: GraphqlContext) => {
      context.viewer()
      context.services.tokens.revoke(context.token())
      return true
    },
  },
})
