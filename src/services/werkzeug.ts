/**
 * Password hashes made by werkzeug's generate_password_hash (the Flask tutorial's), kept when its users are
 * imported so that they log in with the passwords they had; the first successful login replaces one with argon2id.
 */
import { pbkdf2, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

type WerkzeugHash =
  | { method: 'pbkdf2'; digest: 'sha1' | 'sha256' | 'sha512'; iterations: number; salt: string; expected: Buffer }
  | { method: 'scrypt'; n: number; r: number; p: number; salt: string; expected: Buffer }

// werkzeug 2: pbkdf2:sha256:260000$<salt>$<hex>; werkzeug 3: scrypt:32768:8:1$<salt>$<hex>.
const PBKDF2 = /^pbkdf2:(sha1|sha256|sha512):(\d{1,9})\$([^$]{1,64})\$([0-9a-f]{40,128})$/
const SCRYPT = /^scrypt:(\d{1,9}):(\d{1,3}):(\d{1,3})\$([^$]{1,64})\$([0-9a-f]{128})$/
const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const
// A hash is imported from a file someone else wrote: its cost is bounded so that one login cannot stall a worker.
const MAX_PBKDF2_ITERATIONS = 5_000_000
const MAX_SCRYPT_BYTES = 256 * 1024 * 1024

const pbkdf2Async = promisify(pbkdf2)
const scryptAsync = promisify(scrypt) as (password: string, salt: string, length: number, options: object) => Promise<Buffer>

/** The parsed hash, or undefined if it is not one werkzeug writes or its cost is out of bounds. */
function parse(stored: string): WerkzeugHash | undefined {
  const pbkdf = PBKDF2.exec(stored)
  if (pbkdf) {
    const [, digest, iterations, salt, hex] = pbkdf as unknown as [string, keyof typeof DIGEST_BYTES, string, string, string]
    if (hex.length !== DIGEST_BYTES[digest] * 2 || Number(iterations) < 1 || Number(iterations) > MAX_PBKDF2_ITERATIONS) return undefined
    return { method: 'pbkdf2', digest, iterations: Number(iterations), salt, expected: Buffer.from(hex, 'hex') }
  }
  const scryptMatch = SCRYPT.exec(stored)
  if (scryptMatch) {
    const [n, r, p] = scryptMatch.slice(1, 4).map(Number) as [number, number, number]
    const powerOfTwo = n > 1 && (n & (n - 1)) === 0
    if (!powerOfTwo || r < 1 || p < 1 || 128 * n * r * p > MAX_SCRYPT_BYTES) return undefined
    return { method: 'scrypt', n, r, p, salt: scryptMatch[4]!, expected: Buffer.from(scryptMatch[5]!, 'hex') }
  }
  return undefined
}

/** Whether `stored` is a werkzeug hash madblog can check (the methods and bounds above). */
export const isWerkzeugHash = (stored: string) => parse(stored) !== undefined

/** Checks `password` against a werkzeug hash, in constant time; false for anything that is not one. */
export async function verifyWerkzeug(password: string, stored: string): Promise<boolean> {
  const hash = parse(stored)
  if (!hash) return false
  const derived =
    hash.method === 'pbkdf2'
      ? await pbkdf2Async(password, hash.salt, hash.iterations, hash.expected.length, hash.digest)
      : await scryptAsync(password, hash.salt, hash.expected.length, {
          N: hash.n,
          r: hash.r,
          p: hash.p,
          maxmem: 129 * hash.n * hash.r * hash.p,
        })
  return timingSafeEqual(derived, hash.expected)
}
