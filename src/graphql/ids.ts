/**
 * Relay global ids: opaque to clients, unique across every type (`User:1` base64url-encoded), so that
 * `node(id:)` can fetch any object and new types never collide with old ids. REST's integer is `databaseId`.
 */
export const NODE_TYPES = ['User', 'Post'] as const
export type NodeType = (typeof NODE_TYPES)[number]

/**
 * base64url without padding of a type or list name, a colon and digits: these never make a 6-bit group of 62 or 63,
 * so btoa's base64 (cheaper than a Buffer, and a page has dozens of ids and cursors) differs from it only by its `=`.
 */
export function base64urlOfName(text: string): string {
  const base64 = btoa(text)
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0
  return padding ? base64.slice(0, -padding) : base64
}

/**
 * The text a client's id or cursor spells, or undefined when it is no base64 at all. Lenient like every base64
 * reader (padding, `+`, spaces): callers accept only what `base64urlOfName` gives back unchanged.
 */
export function nameOfBase64url(text: string): string | undefined {
  try {
    return atob(text)
  } catch {
    return undefined
  }
}

export const encodeGlobalId = (type: NodeType, id: number) => base64urlOfName(`${type}:${id}`)

/** The type and database id a global id names, or undefined for anything this server did not hand out. */
export function decodeGlobalId(globalId: string): { type: NodeType; id: number } | undefined {
  const [type, digits = ''] = (nameOfBase64url(globalId) ?? '').split(':')
  if (!(NODE_TYPES as readonly string[]).includes(type!) || !/^[1-9]\d{0,14}$/.test(digits)) return undefined
  const decoded = { type: type as NodeType, id: Number(digits) }
  // Base64 has several spellings of one text (padding, trailing bits): only the canonical one is an id.
  return encodeGlobalId(decoded.type, decoded.id) === globalId ? decoded : undefined
}
