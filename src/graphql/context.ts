import type { Services } from '../services'
import { signedIn, type Caller } from '../services/tokens'
import type { User } from '../services/users'
import { authorLoader, type AuthorLoader } from './authors'

/** What the HTTP edge resolves once per request, before any resolver runs, and hands yoga as its server context. */
export interface ServerContext {
  caller: Caller
  /** What the rate limits on login and registration count by. */
  clientAddress: string
  /** A JSON request body the server has already read in full (its size checked once, in front of every route). */
  bufferedBody?: string
}

/** What every resolver gets: the services, the caller, and the client address. */
export interface GraphqlContext {
  services: Services
  /** The bearer token's live owner; throws UnauthenticatedError when there is none. */
  viewer(): User
  /** The bearer token itself, once `viewer()` has accepted it. */
  token(): string
  /** The viewer on a public read: undefined for no token (or a refused one), which only hides emails. */
  reader(): User | undefined
  /** Posts' authors, a page's read in one statement. */
  authors: AuthorLoader
  clientAddress: string
}

/** A refused token fails only the resolvers that need a viewer: `createToken` works with a stale one riding along. */
export function createContext(services: Services, { caller, clientAddress }: ServerContext): GraphqlContext {
  return {
    services,
    viewer: () => signedIn(caller).user,
    token: () => signedIn(caller).token,
    reader: () => ('user' in caller ? caller.user : undefined),
    authors: authorLoader(services),
    clientAddress,
  }
}
