/** The GraphQL face of madblog; names follow issue 3 so clients written against it keep working. */
export const typeDefs = /* GraphQL */ `
  "An instant as an ISO-8601 string in UTC, e.g. 2026-11-25T13:00:19.153Z."
  scalar DateTime @specifiedBy(url: "https://scalars.graphql.org/andimarek/date-time")

  "An object with a global id."
  interface Node {
    "Opaque and unique across every type; REST's integer id is \`databaseId\`."
    id: ID!
  }

  "An account. \`email\` is null unless the viewer is this user."
  type User {
    "The same integer id as in REST, as a string."
    id: ID!
    username: String!
    email: String
    "At most 64 characters."
    name: String
    "At most 64 characters."
    location: String
    "At most 1,000 characters."
    aboutMe: String
    memberSince: DateTime!
    "The last authenticated request, to the minute."
    lastSeen: DateTime!
    postsCount: Int!
    "This user's posts, newest first; as \`posts\`."
    posts(first: Int, after: String, last: Int, before: String): PostConnection!
  }

  "A blog post; anyone may read it."
  type Post implements Node {
    "Opaque and unique across every type; REST's integer id is \`databaseId\`."
    id: ID!
    "The integer id REST uses: \`/api/posts/<databaseId>\`."
    databaseId: Int!
    title: String!
    "As written, or the body's first 200 characters."
    summary: String!
    body: String!
    "When it was written."
    timestamp: DateTime!
    updatedAt: DateTime!
    "Exact, counted within a second; \`post(id:)\` counts one."
    views: Int!
    author: User!
  }

  type PostEdge {
    cursor: String!
    node: Post!
  }

  "Posts newest first (Relay cursor connection)."
  type PostConnection {
    edges: [PostEdge!]!
    nodes: [Post!]!
    pageInfo: PageInfo!
    "The number of posts altogether (of this author, under a user)."
    totalCount: Int!
  }

  input CreatePostInput {
    "At most 255 characters."
    title: String!
    "At most 500 characters; empty or null: the body's first 200."
    summary: String
    "At most 100,000 characters."
    body: String!
  }

  "Only the fields given change."
  input UpdatePostInput {
    title: String
    summary: String
    body: String
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
    name: String
    location: String
    aboutMe: String
  }

  type Query {
    "The user the bearer token belongs to."
    me: User
    user(id: ID!): User
    "Forward with \`first\`/\`after\`, backward with \`last\`/\`before\`; at most 100 a page, 10 if neither is given."
    users(first: Int, after: String, last: Int, before: String): UserConnection!
    "One post by its global id; needs no token, and counts a view."
    post(id: ID!): Post
    "Every post, newest first; needs no token. At most 100 a page, 10 if neither \`first\` nor \`last\` is given."
    posts(first: Int, after: String, last: Int, before: String): PostConnection!
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
    "Write a post as the viewer."
    createPost(input: CreatePostInput!): Post!
    "Change your own post."
    updatePost(id: ID!, input: UpdatePostInput!): Post!
    "Delete your own post."
    deletePost(id: ID!): Boolean!
  }
`
