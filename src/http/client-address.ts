import { Elysia } from 'elysia'
/** The one key every request shares when there is no socket to ask (`app.handle` in tests). */
export const UNKNOWN_CLIENT = 'unknown'
// An IPv6 address with a zone fits; anything longer is not an address, and keys must stay small.
const MAX_ADDRESS_CHARS = 64

/**
 * The address `hops` trusted proxies vouch for: each appends the address it was connected from, so the entry
 * `hops` from the right was written by the outermost trusted proxy, and everything left of it by the client,
 * who may write anything. With fewer entries than hops, the left-most is the best there is.
 */
export function forwardedAddress(header: string | null, hops: number): string | undefined {
  const entries = (header ?? '').split(',').map((entry) => entry.trim()).filter(Boolean)
  if (entries.length === 0) return undefined
  return entries[Math.max(0, entries.length - hops)]!.slice(0, MAX_ADDRESS_CHARS).toLowerCase()
}

/** What the listening server offers (Bun's and Elysia's alike); there is none under `app.handle`. */
export type SocketInfo = { requestIP(request: Request): { address: string } | null } | null

export type ClientAddress = (request: Request, server: SocketInfo) => string

/**
 * The client address the rate limits count by: the socket's, or with TRUST_PROXY the X-Forwarded-For entry
 * the trusted proxies vouch for (falling back to the socket's when a request came without the header).
 */
export function clientAddress(trustProxyHops: number): ClientAddress {
  return (request, server) =>
    (trustProxyHops > 0 ? forwardedAddress(request.headers.get('x-forwarded-for'), trustProxyHops) : undefined) ??
    server?.requestIP(request)?.address ??
    UNKNOWN_CLIENT
}

/** `{ clientAddress: true }` puts the request's client address in the route's context, as `clientAddress`. */
export function clientAddresses(trustProxyHops: number) {
  const of = clientAddress(trustProxyHops)
  return new Elysia({ name: 'client-address', seed: trustProxyHops }).macro({
    clientAddress: { resolve: ({ request, server }) => ({ clientAddress: of(request, server) }) },
  })
}
