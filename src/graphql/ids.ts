/**
 * Relay global ids: opaque to clients, unique across every type (`User:1` base64url-encoded), so that
 * `node(id:)` can fetch any object and new types never collide with old ids. REST's integer is `databaseId`.
 */
export const NODE_TYPES = ['User', 'Post'] as const
export type NodeType = (typeof NODE_TYPES)[number]

export const encodeGlobalId = (type: NodeType, id: number) => Buffer.from(`${type}:${id}`).toString('base64url')

/** The type and database id a global id names, or undefined for anything this server did not hand out. */
export function decodeGlobalId(globalId: string): { type: NodeType; id: number } | undefined {
  const [type, digits = ''] = Buffer.from(globalId, 'base64url').toString('utf8').split(':')
  if (!(NODE_TYPES as readonly string[]).includes(type!) || !/^[1-9]\d{0,14}$/.test(digits)) return undefined
  const decoded = { type: type as NodeType, id: Number(digits) }
  // Base64 has several spellings of one text (padding, trailing bits): only the canonical one is an id.
  return encodeGlobalId(decoded.type, decoded.id) === globalId ? decoded : undefined
}
