import type { GraphiQLOptions } from 'graphql-yoga'

/** The playground's opening document: a runnable walk from sign-up to an authenticated query. */
export const DEFAULT_QUERY = `# madblog GraphQL playground. Run the operations in order (the ▶ button lists them).
#
# 1. SignUp creates an account (skip it if you have one).
# 2. LogIn returns a token. Open "Headers" below and paste:
#      { "Authorization": "Bearer <token>" }
#    The same token works on the REST API, and a REST token works here.
# 3. Me and Users then answer as that user.

mutation SignUp {
  createUser(input: { username: "ada", email: "ada@example.com", password: "correct horse" }) {
    id
    username
  }
}

mutation LogIn {
  createToken(username: "ada", password: "correct horse") {
    token
    expiresAt
  }
}

query Me {
  me {
    id
    username
    email
  }
}

query Users {
  users(first: 10) {
    totalCount
    edges {
      cursor
      node {
        id
        username
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`

export const PLAYGROUND: GraphiQLOptions = { title: 'madblog GraphQL', defaultQuery: DEFAULT_QUERY }

/**
 * GraphiQL with every script, style and worker inlined (@graphql-yoga/render-graphiql), so the page needs
 * nothing from outside, in the compiled binary too. The bundle is megabytes: it is loaded on the first visit,
 * not at start-up, and rendered once.
 */
export function lazyGraphiQL() {
  let page: Promise<string> | undefined
  return (options?: GraphiQLOptions) =>
    (page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)))
}
