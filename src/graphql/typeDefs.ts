/** The GraphQL face of madblog; names follow issue 3 so clients written against it keep working. */
export const typeDefs = /* GraphQL */ `
  "An account. \`email\` is null unless the viewer is this user."
  type User {
    "The same integer id as in REST, as a string."
    id: ID!
    username: String!
    email: String
  }

  type UserEdge {
    cursor: String!
    node: User!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  "Users in id order (Relay cursor connection)."
  type UserConnection {
    edges: [UserEdge!]!
    pageInfo: PageInfo!
    "The number of users altogether."
    totalCount: Int!
  }

  "A bearer token: send it as \`Authorization: Bearer <token>\`, on GraphQL or REST."
  type Token {
    token: String!
    "ISO-8601"
    expiresAt: String!
  }

  input CreateUserInput {
    username: String!
    email: String!
    password: String!
  }

  "Only the fields given change; a new \`password\` needs \`oldPassword\` and ends every session."
  input UpdateUserInput {
    username: String
    email: String
    password: String
    oldPassword: String
  }

  type Query {
    "The user the bearer token belongs to."
    me: User
    user(id: ID!): User
    "Forward with \`first\`/\`after\`, backward with \`last\`/\`before\`; at most 100 a page, 10 if neither is given."
    users(first: Int, after: String, last: Int, before: String): UserConnection!
  }

  type Mutation {
    "Sign up; needs no token."
    createUser(input: CreateUserInput!): User!
    "Change your own record."
    updateUser(id: ID!, input: UpdateUserInput!): User!
    "Delete your own account and all its tokens."
    deleteUser(id: ID!): Boolean!
    "Log in; needs no token. Wrong credentials are UNAUTHENTICATED."
    createToken(username: String!, password: String!): Token!
    "Revoke the token this request carries."
    revokeToken: Boolean!
  }
`
