import type { PasswordHashing } from '../config'
import type { HashQueue } from './hash-queue'
import { isWerkzeugHash, verifyWerkzeug } from './werkzeug'

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(password: string, hash: string | undefined): Promise<boolean>
}

/**
 * argon2id through Bun.password, which hashes on a worker thread so reads never wait behind it.
 * A missing hash (unknown user) is verified against a dummy made with the same parameters, so both failures
 * take one verify of the same cost. The dummy is made up front: made on first use, the first unknown user
 * would cost a hash more than a wrong password. Werkzeug hashes (users imported from the Flask tutorial) are
 * checked too, in the same queue.
 */
export function createPasswordHasher(options: PasswordHashing): PasswordHasher {
  const algorithm = { algorithm: 'argon2id', ...options } as const
  const hash = (password: string) => Bun.password.hash(password, algorithm)
  const dummy = hash(crypto.randomUUID())
  return {
    hash,
    async verify(password, stored) {
      if (stored !== undefined && isWerkzeugHash(stored)) return verifyWerkzeug(password, stored)
      if (stored !== undefined) return Bun.password.verify(password, stored)
      await Bun.password.verify(password, await dummy)
      return false
    },
  }
}

/** Every hash and verify of `hasher` takes a turn in `queue`, so no flood runs more of them at once. */
export function queuedHasher(hasher: PasswordHasher, queue: HashQueue): PasswordHasher {
  return {
    hash: (password) => queue.run(() => hasher.hash(password)),
    verify: (password, stored) => queue.run(() => hasher.verify(password, stored)),
  }
}

/** Hashes `verify` accepts: argon2 (what madblog writes) and werkzeug's; anything else is refused at import. */
export const isAcceptedHash = (stored: string) => /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.test(stored) || isWerkzeugHash(stored)

/** A hash worth replacing by argon2id once its password is known (at a successful login). */
export const isLegacyHash = isWerkzeugHash
