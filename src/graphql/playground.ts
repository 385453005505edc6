import { Elysia } from 'elysia'
import type { GraphiQLOptions } from 'graphql-yoga'
import editorWorker from '../assets/graphiql-editor.worker.js' with { type: 'file' }
import graphqlWorker from '../assets/graphiql-graphql.worker.js' with { type: 'file' }
import jsonWorker from '../assets/graphiql-json.worker.js' with { type: 'file' }
import graphiqlStyles from '../assets/graphiql.css' with { type: 'file' }
import graphiqlStart from '../assets/graphiql-start.js' with { type: 'file' }
import graphiqlScript from '../assets/graphiql.js' with { type: 'file' }

/** The playground's opening document: a runnable walk from sign-up to an authenticated query. */
export const DEFAULT_QUERY = `# madblog GraphQL playground. Run the operations in order (the ▶ button lists them).
#
# 1. SignUp creates an account (skip it if you have one).
# 2. LogIn returns a token. Open "Headers" below and paste:
#      { "Authorization": "Bearer <token>" }
#    The same token works on the REST API, and a REST token works here.
# 3. Me and Users then answer as that user. Ids are Relay global ids (node(id:)
#    fetches any of them); databaseId is the integer REST uses in /api/users/<id>.

mutation SignUp {
  createUser(input: { username: "ada", email: "ada@example.com", password: "correct horse" }) {
    id
    databaseId
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
    databaseId
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

# 4. WritePost posts as that user; Posts lists every post newest first with its author (no token needed).
mutation WritePost {
  createPost(input: { title: "Hello", body: "My first post." }) {
    id
    databaseId
    summary
  }
}

query Posts {
  posts(first: 10) {
    totalCount
    edges {
      cursor
      node {
        id
        title
        summary
        timestamp
        views
        author {
          username
          postsCount
        }
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

const ASSETS = '/graphql/assets'
const FILES = {
  'graphiql.js': graphiqlScript,
  'start.js': graphiqlStart,
  'graphiql.css': graphiqlStyles,
  'editor.worker.js': editorWorker,
  'json.worker.js': jsonWorker,
  'graphql.worker.js': graphqlWorker,
} as const

/** JSON that cannot close the <script> element it is written into. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')

/**
 * Yoga's GraphiQL page with its script, stylesheet and editor workers served by madblog instead of unpkg,
 * so the playground works offline and inside the compiled binary. The files stay on disk (or in the binary)
 * and are streamed: the 5 MB bundle never sits in the server's heap. The page holds no inline script (its
 * options are a JSON data block `start.js` reads), so its Content-Security-Policy allows only madblog's own.
 */
export function graphiqlPage(options: GraphiQLOptions = PLAYGROUND): string {
  const title = Bun.escapeHTML(options.title ?? 'GraphiQL')
  const workers = { editorWorkerService: `${ASSETS}/editor.worker.js`, json: `${ASSETS}/json.worker.js`, graphql: `${ASSETS}/graphql.worker.js` }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS}/graphiql.css">
</head>
<body id="body" class="no-focus-outline">
<noscript>You need to enable JavaScript to run this app.</noscript>
<div id="root">Loading ${title}…</div>
<script type="application/json" id="graphiql-options">${scriptJson({ workers, options })}</script>
<script src="${ASSETS}/start.js"></script>
<script src="${ASSETS}/graphiql.js"></script>
</body>
</html>
`
}

/** The page's files, cached by browsers for a day. */
export function graphiqlAssets() {
  const app = new Elysia({ name: 'graphiql-assets' })
  for (const [name, path] of Object.entries(FILES))
    app.get(`${ASSETS}/${name}`, ({ set }) => {
      set.headers['cache-control'] = 'public, max-age=86400'
      return Bun.file(path)
    }, { detail: { hide: true } })
  return app
}
