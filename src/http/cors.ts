import { Elysia } from 'elysia'
import type { Config } from '../config'

const PREFLIGHT = {
  'access-control-allow-methods': 'GET, POST, PUT, DELETE',
  'access-control-allow-headers': 'Authorization, Content-Type, X-Request-Id',
  'access-control-max-age': '600',
}

/**
 * One CORS policy for REST and GraphQL. With `*` every header is fixed, so no hook runs per request (the
 * @elysiajs/cors plugin awaited one on each, and sent `Vary: *`, which makes answers uncacheable). With a list
 * of origins, an allowed Origin is echoed back and `Vary: Origin` tells caches the answer depends on it.
 * No credentials: tokens travel in the Authorization header, never in cookies.
 */
export function corsPolicy(origins: Config['corsOrigins']) {
  const app = new Elysia({ name: 'cors' }).headers({
    'access-control-expose-headers': 'Location, WWW-Authenticate, Retry-After, X-Request-Id',
    ...(origins === '*' ? { 'access-control-allow-origin': '*' } : { vary: 'Origin' }),
  })
  const allowed = new Set(origins === '*' ? [] : origins)
  // Elysia adds the headers above to this Response too.
  const preflight = () => new Response(null, { status: 204, headers: PREFLIGHT })
  const routes = app.options('/', preflight, { detail: { hide: true } }).options('/*', preflight, { detail: { hide: true } })
  if (origins === '*') return routes
  return routes.onRequest(({ request, set }) => {
    const origin = request.headers.get('origin')
    if (origin !== null && allowed.has(origin)) set.headers['access-control-allow-origin'] = origin
  })
}
