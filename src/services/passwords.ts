import type { PasswordHashing } from '../config'

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(password: string, hash: string | undefined): Promise<boolean>
}

/**
 * argon2id through Bun.password, which hashes on a worker thread so reads never wait behind it.
 * A missing hash (unknown user) is verified against a dummy so both failures take the same time.
 */
export function createPasswordHasher(options: PasswordHashing): PasswordHasher {
  const algorithm = { algorithm: 'argon2id', ...options } as const
  let dummy: Promise<string> | undefined
  const hash = (password: string) => Bun.password.hash(password, algorithm)
  return {
    hash,
    async verify(password, stored) {
      if (stored !== undefined) return Bun.password.verify(password, stored)
      dummy ??= hash(crypto.randomUUID())
      await Bun.password.verify(password, await dummy)
      return false
    },
  }
}
