import { Elysia } from 'elysia'
import { InvalidCredentialsError } from '../services/errors'
import type { Services } from '../services'
import { andThen } from '../db/store'
import { signedIn } from '../services/tokens'

/** `Bearer <token>`, the scheme matched case-insensitively (RFC 7235); tokens are never read from the URL. */
export function bearerToken(authorization: string | null): string | undefined {
  return authorization?.match(/^bearer +(\S+) *$/i)?.[1]
}

/** `Basic base64(username:password)`; the password may itself contain ':'. */
export function basicCredentials(authorization: string | undefined): { username: string; password: string } {
  const match = authorization?.match(/^basic +([A-Za-z0-9+/]+={0,2}) *$/i)
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  if (colon < 1) throw new InvalidCredentialsError('Missing basic credentials')
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** Who the request speaks for, or why nobody: what REST's `bearer` routes require and GraphQL's context carries. */
export const callerOf = (services: Services, request: Request) =>
  services.tokens.caller(bearerToken(request.headers.get('authorization')))

/** `{ bearer: true }` puts the token's live owner in `user`; failures are domain errors the mapper answers. */
export function authentication(services: Services) {
  return new Elysia({ name: 'authentication' }).macro({
    bearer: {
      detail: { security: [{ bearer: [] }] },
      // The one header it needs, read directly: naming `headers` makes Elysia copy them all on every request.
      resolve: ({ request }) => andThen(callerOf(services, request), signedIn),
    },
  })
}
