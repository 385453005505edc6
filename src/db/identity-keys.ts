import type { Database } from 'bun:sqlite'
import { emailKey, usernameKey } from '../services/identity'

/** An account whose name or email shares its identity key with an older account: both keep working. */
export interface IdentityCollision {
  id: number
  field: 'username' | 'email'
  value: string
  /** The older account that holds the key. */
  heldBy: number
}

type Row = { id: number; username: string; email: string; username_key: string | null; email_key: string | null }
const FIELDS = [
  { field: 'username', column: 'username_key', key: usernameKey },
  { field: 'email', column: 'email_key', key: emailKey },
] as const

/**
 * SQLite cannot fold Unicode case, so the keys of rows that lack one are computed here, oldest account first,
 * inside the migration's transaction. A row whose key an older account already holds is left without it: it
 * is neither changed nor deleted, logs in by its exact name, and is reported until a rename or deletion
 * frees the key (the next start then gives it). Returns those rows.
 */
export function fillIdentityKeys(sqlite: Database): IdentityCollision[] {
  const rows = sqlite
    .query<Row, []>('SELECT id, username, email, username_key, email_key FROM users WHERE username_key IS NULL OR email_key IS NULL ORDER BY id')
    .all()
  const collisions: IdentityCollision[] = []
  for (const { field, column, key } of FIELDS) {
    const holder = sqlite.prepare<{ id: number }, [string]>(`SELECT id FROM users WHERE ${column} = ?`)
    const set = sqlite.prepare(`UPDATE users SET ${column} = ? WHERE id = ?`)
    for (const row of rows) {
      if (row[column] !== null) continue
      const value = row[field]
      const computed = key(value)
      const held = holder.get(computed)
      if (held) collisions.push({ id: row.id, field, value, heldBy: held.id })
      else set.run(computed, row.id)
    }
    holder.finalize()
    set.finalize()
  }
  return collisions
}

/** One line an operator can act on: which account, which value, and who holds its identity. */
export const describeCollision = ({ id, field, value, heldBy }: IdentityCollision) =>
  `account ${id} keeps its ${field} ${JSON.stringify(value)}, which is the same identity as account ${heldBy}'s: both work; rename or delete one to settle it`
