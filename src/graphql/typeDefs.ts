// The arguments of every posts connection (Query.posts and User.posts), written once.
const POST_PAGE = `(
      "How many posts after \`after\` (older ones)."
      first: Int
      "A cursor: start after it."
      after: String
      "How many posts before \`before\` (newer ones)."
      last: Int
      "A cursor: end before it."
      before: String
    ): PostConnection!`

/** The GraphQL face of madblog; names follow issue 3, and Relay's conventions (node, global ids, connections). */
export const typeDefs = /* GraphQL */ `
  "An instant as an ISO-8601 string in UTC, e.g. 2026-11-25T13:00:19.153Z."
  scalar DateTime @specifiedBy(url: "https://scalars.graphql.org/andimarek/date-time")

  "An object with a global id, which \`node(id:)\` fetches whatever its type."
  interface Node {
    "Opaque and unique across every type; REST's integer id is \`databaseId\`."
    id: ID!
  }

  "An account. \`email\` is null unless the viewer is this user."
  type User implements Node {
    "Opaque and unique across every type; REST's integer id is \`databaseId\`."
    id: ID!
    "The integer id REST uses: \`/api/users/<databaseId>\`."
    databaseId: Int!
    "Unique regardless of case."
    username: String!
    "Only on your own record."
    email: String
    "At most 64 characters."
    name: String
    "At most 64 characters."
    location: String
    "At most 1,000 characters."
    aboutMe: String
    "When the account was created."
    memberSince: DateTime!
    "The last authenticated request, to the minute."
    lastSeen: DateTime!
    "How many posts this user has written."
    postsCount: Int!
    "This user's posts, newest first; as \`posts\`."
    posts${POST_PAGE}
  }

  "A blog post; anyone may read it."
  type Post implements Node {
    "Opaque and unique across every type; REST's integer id is \`databaseId\`."
    id: ID!
    "The integer id REST uses: \`/api/posts/<databaseId>\`."
    databaseId: Int!
    "At most 255 characters."
    title: String!
    "As written, or the body's first 200 characters."
    summary: String!
    "At most 100,000 characters."
    body: String!
    "When it was written."
    timestamp: DateTime!
    "When it last changed."
    updatedAt: DateTime!
    "Exact, counted within a second; \`post(id:)\` counts one."
    views: Int!
    "Who wrote it (\`email\` only when it is you)."
    author: User!
  }

  "A post and where it sits in the connection."
  type PostEdge {
    "Pass to \`after\` or \`before\` to page from this post."
    cursor: String!
    "The post."
    node: Post!
  }

  "Posts newest first (Relay cursor connection)."
  type PostConnection {
    "The page's posts with their cursors."
    edges: [PostEdge!]!
    "The page's posts, for clients that need no cursors."
    nodes: [Post!]!
    "Where this page sits."
    pageInfo: PageInfo!
    "The number of posts altogether (of this author, under a user)."
    totalCount: Int!
  }

  "A new post."
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
    "A new title."
    title: String
    "A new summary; empty or null: the body's first 200 characters."
    summary: String
    "A new body."
    body: String
  }

  "A user and where it sits in the connection."
  type UserEdge {
    "Pass to \`after\` or \`before\` to page from this user."
    cursor: String!
    "The user."
    node: User!
  }

  "Where a page sits in the whole list."
  type PageInfo {
    "Whether there are users after this page."
    hasNextPage: Boolean!
    "Whether there are users before this page."
    hasPreviousPage: Boolean!
    "The first edge's cursor, if the page has any."
    startCursor: String
    "The last edge's cursor, if the page has any."
    endCursor: String
  }

  "Users in id order (Relay cursor connection)."
  type UserConnection {
    "The page's users with their cursors."
    edges: [UserEdge!]!
    "The page's users, for clients that need no cursors."
    nodes: [User!]!
    "Where this page sits."
    pageInfo: PageInfo!
    "The number of users altogether."
    totalCount: Int!
  }

  "A bearer token: send it as \`Authorization: Bearer <token>\`, on GraphQL or REST."
  type Token {
    "The token itself; it is never shown again."
    token: String!
    "When it stops working (TOKEN_TTL_SECONDS after issue)."
    expiresAt: DateTime!
  }

  "A new account."
  input CreateUserInput {
    "Unique regardless of case; no colon."
    username: String!
    "Unique regardless of case."
    email: String!
    "At most 1,024 bytes."
    password: String!
  }

  "Only the fields given change; a new \`password\` needs \`oldPassword\` and ends every session."
  input UpdateUserInput {
    "A new username."
    username: String
    "A new email."
    email: String
    "A new password; needs \`oldPassword\`."
    password: String
    "The current password, to change it."
    oldPassword: String
    "Your name, at most 64 characters; empty or null clears it."
    name: String
    "Where you are, at most 64 characters; empty or null clears it."
    location: String
    "About you, at most 1,000 characters; empty or null clears it."
    aboutMe: String
  }

  "What can be read; everything but \`createUser\` and \`createToken\` needs a bearer token."
  type Query {
    "The object with this global id, or null if there is none."
    node("A global id, as \`User.id\`." id: ID!): Node
    "The objects with these global ids, in order; null where there is none."
    nodes("Global ids, as \`User.id\`." ids: [ID!]!): [Node]!
    "The user the bearer token belongs to."
    me: User
    "One user; NOT_FOUND if there is none."
    user("The user's global id (\`User.id\`)." id: ID!): User
    "Forward with \`first\`/\`after\`, backward with \`last\`/\`before\`; at most 100 a page, 10 if neither is given."
    users(
      "How many users after \`after\`."
      first: Int
      "A cursor: start after it."
      after: String
      "How many users before \`before\`."
      last: Int
      "A cursor: end before it."
      before: String
    ): UserConnection!
    "One post by its global id; needs no token, and counts a view."
    post("The post's global id." id: ID!): Post
    "Every post, newest first; needs no token. At most 100 a page, 10 if neither \`first\` nor \`last\` is given."
    posts${POST_PAGE}
  }

  "What can be changed."
  type Mutation {
    "Sign up; needs no token."
    createUser("The new account." input: CreateUserInput!): User!
    "Change your own record."
    updateUser("Your global id (\`User.id\`)." id: ID!, "The changes." input: UpdateUserInput!): User!
    "Delete your own account and all its tokens."
    deleteUser("Your global id (\`User.id\`)." id: ID!): Boolean!
    "Log in; needs no token. Wrong credentials are UNAUTHENTICATED."
    createToken("Your username." username: String!, "Your password." password: String!): Token!
    "Revoke the token this request carries."
    revokeToken: Boolean!
    "Write a post as the viewer."
    createPost("The new post." input: CreatePostInput!): Post!
    "Change your own post."
    updatePost("The post's global id." id: ID!, "What changes." input: UpdatePostInput!): Post!
    "Delete your own post."
    deletePost("The post's global id." id: ID!): Boolean!
  }
`
