import { swagger } from '@elysiajs/swagger'
import { Elysia } from 'elysia'
import apiReferenceScript from '../assets/api-reference.js' with { type: 'file' }
import { SWAGGER_PAGE_HEADERS } from './security-headers'

const ASSET_PATH = '/swagger/assets/api-reference.js'
const PAGE_PATHS = new Set(['/swagger', '/swagger/'])

/** OpenAPI document at /swagger/json and its reader at /swagger, whose script madblog serves itself. */
export function apiDocs(version: string) {
  return new Elysia({ name: 'api-docs' })
    .get(ASSET_PATH, ({ set }) => {
      set.headers['cache-control'] = 'public, max-age=86400'
      return Bun.file(apiReferenceScript)
    }, { detail: { hide: true } })
    // Only these routes: the page gets its policy, the document and the script need none.
    .onAfterHandle(({ path, set }) => {
      if (PAGE_PATHS.has(path)) Object.assign(set.headers, SWAGGER_PAGE_HEADERS)
    })
    .use(
      swagger({
        path: '/swagger',
        scalarCDN: ASSET_PATH,
        // Fonts and telemetry would come from outside: the page must work with no internet.
        scalarConfig: { withDefaultFonts: false },
        exclude: [ASSET_PATH],
        documentation: {
          info: {
            title: 'madblog API',
            version,
            description:
              'Accounts and tokens for the madblog blog backend. Log in with Basic auth at POST /api/tokens, then send `Authorization: Bearer <token>`.',
          },
          tags: [
            { name: 'health', description: 'Liveness' },
            { name: 'users', description: 'Accounts' },
            { name: 'tokens', description: 'Bearer tokens' },
          ],
          components: {
            securitySchemes: {
              basic: { type: 'http', scheme: 'basic', description: 'username:password, only to get a token' },
              bearer: { type: 'http', scheme: 'bearer', description: 'A token from POST /api/tokens' },
            },
          },
        },
      }),
    )
}
