import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import apiReferenceScript from '../assets/api-reference.js' with { type: 'file' }
import { PARAMETERS } from './models'
import { pingPath } from './ping'
import { SWAGGER_PAGE_HEADERS } from './security-headers'

type ScalarConfig = NonNullable<NonNullable<Parameters<typeof openapi>[0]>['scalar']>

const ASSET_PATH = '/swagger/assets/api-reference.js'
const DOCS_PATH = '/swagger'
const SPEC_PATH = '/swagger/json'
const PAGE_PATHS = new Set([DOCS_PATH, `${DOCS_PATH}/`])

type Operation = {
  parameters?: { name: string; schema?: unknown }[]
  responses?: Record<string, { description?: string; headers?: Record<string, unknown>; content?: unknown }>
}
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas?: Record<string, object> } }

/** Response headers each status carries, whichever route answers it (src/http/errors.ts and the 201s). */
const STATUS_HEADERS: Record<string, string[]> = {
  '201': ['Location'],
  '401': ['WWW-Authenticate'],
  '405': ['Allow'],
  '429': ['Retry-After'],
  '503': ['Retry-After'],
}
const HEADERS = {
  Location: { description: 'The new resource', schema: { type: 'string', examples: ['/api/users/1'] } },
  'WWW-Authenticate': {
    description: '`Basic realm="Authentication Required"` on POST /api/tokens, `Bearer realm="Authentication Required"` elsewhere',
    schema: { type: 'string' },
  },
  Allow: { description: 'The methods this path serves', schema: { type: 'string', examples: ['GET, PUT, DELETE'] } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
} as const
const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` })

/**
 * What the generator cannot say from the routes: the headers of each status, the 405 any path answers to a
 * method it does not serve, parameter types (the handlers parse raw strings), and models referred to by name.
 */
function complete(doc: Document) {
  for (const item of Object.values(doc.paths))
    for (const operation of Object.values(item)) {
      const responses = (operation.responses ??= {})
      responses['405'] ??= {
        description: 'Not a method this path serves (Allow lists those it does)',
        content: { 'application/json': { schema: ref('schemas', 'MethodNotAllowed') } },
      }
      for (const [status, response] of Object.entries(responses)) {
        const names = STATUS_HEADERS[status]
        if (names) response.headers = Object.fromEntries(names.map((name) => [name, ref('headers', name)]))
        // A schema-less answer (204) has no body: the generator writes its type where a media-type map belongs.
        if (status === '204') delete response.content
      }
      for (const parameter of operation.parameters ?? [])
        if (parameter.name in PARAMETERS) parameter.schema = PARAMETERS[parameter.name as keyof typeof PARAMETERS]
    }
  for (const [name, schema] of Object.entries(doc.components.schemas ?? {})) {
    const { $id: _, ...rest } = schema as { $id?: string }
    doc.components.schemas![name] = referToModels(rest) as object
  }
  return doc
}

/**
 * A model used inside another carries Elysia's `$id`: it becomes a reference, so clients get one type for it.
 * Elysia's `noValidate` mark (src/http/models.ts) is no JSON Schema keyword: it goes.
 */
function referToModels(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referToModels)
  if (typeof value !== 'object' || value === null) return value
  const id = (value as { $id?: unknown }).$id
  if (typeof id === 'string' && id.startsWith('#/components/schemas/')) return { $ref: id }
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'noValidate').map(([key, child]) => [key, referToModels(child)]))
}

/** OpenAPI 3.1 document at /swagger/json and its reader (Scalar) at /swagger, whose script madblog serves itself. */
export function apiDocs(version: string) {
  const completed = new WeakSet<object>()
  return new Elysia({ name: 'api-docs' })
    .get(ASSET_PATH, ({ set }) => {
      set.headers['cache-control'] = 'public, max-age=86400'
      return Bun.file(apiReferenceScript)
    }, { detail: { hide: true } })
    // Only these routes: the page gets its policy. The plugin builds the document once and hands back the
    // same object: it is completed once, in place.
    .onAfterHandle(({ path, set, response }) => {
      if (PAGE_PATHS.has(path)) Object.assign(set.headers, SWAGGER_PAGE_HEADERS)
      if (path !== SPEC_PATH || typeof response !== 'object' || response === null || completed.has(response)) return
      completed.add(response)
      complete(response as Document)
    })
    .use(
      openapi({
        path: DOCS_PATH,
        specPath: SPEC_PATH,
        exclude: { paths: [ASSET_PATH] },
        scalar: {
          cdn: ASSET_PATH,
          // Everything here would reach outside (fonts, telemetry, Scalar's cloud): the page must work offline
          // and never send the document to a third party.
          withDefaultFonts: false,
          telemetry: false,
          agent: { disabled: true },
          mcp: { disabled: true },
          showDeveloperTools: 'never',
          showToolbar: 'never',
          // Nine operations: all of them in view at once.
          defaultOpenAllTags: true,
          // Try it: Basic on POST /api/tokens (its own `security`), Bearer on every other operation.
          authentication: { preferredSecurityScheme: 'bearer' },
          persistAuth: true,
          // Scalar 1.72 reads `agent`; the plugin's configuration type (an older @scalar/types) predates it.
        } as unknown as ScalarConfig,
        documentation: {
          info: {
            title: 'madblog API',
            version,
            description:
              'Accounts, profiles, posts and tokens for the madblog blog backend. Reading posts needs no token. Log in with Basic auth at POST /api/tokens, then send `Authorization: Bearer <token>`.',
          },
          servers: [{ url: '/', description: 'This madblog' }],
          tags: [
            { name: 'health', description: 'Liveness' },
            { name: 'users', description: 'Accounts' },
            { name: 'tokens', description: 'Bearer tokens' },
            { name: 'posts', description: 'Blog posts: public reads, author-only writes' },
          ],
          paths: { '/api/ping': pingPath },
          components: {
            headers: HEADERS,
            securitySchemes: {
              basic: { type: 'http', scheme: 'basic', description: 'username:password, only to get a token' },
              bearer: { type: 'http', scheme: 'bearer', description: 'A token from POST /api/tokens' },
            },
          },
        },
      }),
    )
}
