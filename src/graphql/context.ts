import { bearerToken } from '../http/auth'
import type { Services } from '../services'
import type { User } from '../services/users'

/** What every resolver gets: the services, and the caller, looked up only when a resolver asks. */
export interface GraphqlContext {
  services: Services
  /** The bearer token's live owner; throws UnauthenticatedError when there is none. */
  viewer(): User
  /** The bearer token itself, once `viewer()` has accepted it. */
  token(): string
  /** The caller's address, as REST reckons it: what the rate limits on login and registration count by. */
  readonly client: string
}

/**
 * Built per request. The token is read from the same header and checked by the same service as REST, lazily:
 * `createToken` or `createUser` must work even when a stale token rides along. The client address is asked of
 * the server only by the resolvers that count by it, not by every read.
 */
export function createContext(services: Services, request: Request, clientOf: (request: Request) => string): GraphqlContext {
  let resolved: { user: User; token: string } | undefined
  const resolve = () => {
    if (!resolved) {
      const token = bearerToken(request.headers.get('authorization') ?? undefined)
      resolved = { user: services.tokens.authenticate(token), token }
    }
    return resolved
  }
  return {
    services,
    viewer: () => resolve().user,
    token: () => resolve().token,
    get client() {
      return clientOf(request)
    },
  }
}
