import fc from 'fast-check'

/** Generators of hostile input for the property tests: the strings, values, ids and headers attackers send. */

/**
 * A fixed seed from FC_SEED reproduces a run; without it fast-check picks one and prints it on failure.
 * FC_RUNS overrides every property's run count, for a longer hunt than CI's.
 */
export const fcOptions = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: Number(process.env.FC_RUNS) || numRuns,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
})

/** Per property test: many requests, each a few milliseconds on a quiet machine, far more on a busy CI one. */
export const PROPERTY_TIMEOUT_MS = 120_000 * Math.max(1, (Number(process.env.FC_RUNS) || 0) / 100)

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "admin'--",
  '1 UNION SELECT password_hash FROM users',
  "%' AND 1=0 UNION SELECT sqlite_version() --",
]
const ODD = [
  '',
  ' ',
  '\0',
  'a\0b',
  '\uD800',
  '\uDFFF',
  'x\uDC00y',
  '\u202E',
  '\u200B',
  '\uFEFF',
  '😀',
  'ñ',
  'e\u0301',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '%00',
  '%s%n',
  '${7*7}',
  '<script>alert(1)</script>',
  'null',
  'NaN',
  '-1',
  '1e309',
]
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code))

export const hostileString = fc.oneof(
  fc.constantFrom(...SQL, ...ODD),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.oneof(loneSurrogate, fc.constantFrom('\0', 'a', ':', '\n')), maxLength: 10 }),
  fc.constantFrom(300, 5_000, 70_000).map((length) => 'x'.repeat(length)),
)

/** Any JSON value, hostile strings included. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2, true, false, null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
)

/** Keys a client may not set, and keys that poison careless object handling. */
export const FORBIDDEN_KEYS = ['id', 'password_hash', 'passwordHash', 'created_at', 'updated_at', 'email_verified', 'is_admin']
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']
export const extraKeys = fc.dictionary(fc.constantFrom(...FORBIDDEN_KEYS, ...POISON_KEYS), hostileValue, { maxKeys: 4 })

/** `JSON.stringify` drops `__proto__` set through a literal; this writes each pair as a real own member. */
export const jsonText = (entries: [string, unknown][]) =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`

/** Values that are not a usable string of their field: wrong JSON types, or strings that break its rules. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.constantFrom(true, false, null, 1.5, [], {}, ['a'], { a: 'b' }),
)
export const badUsername = fc.oneof(
  wrongType,
  fc.constantFrom('', '   ', '\t', 'a:b', ':', 'a\0b', 'a\nb', 'x'.repeat(65), '\u0007', 'a b', 'ad\u200bmin', '\u202eabc', 'аdmin', "o'brien"),
  hostileString.map((text) => `${text}:`),
)
export const badEmail = fc.oneof(
  wrongType,
  fc.constantFrom('', 'no-at-sign', 'a@b', '@example.com', 'a@@example.com', `${'x'.repeat(120)}@example.com`, ...SQL),
  hostileString.filter((text) => !text.includes('@')),
)
export const badPassword = fc.oneof(wrongType, fc.constantFrom('', 'é'.repeat(513), 'x'.repeat(1025)))

/** Bodies that are not a JSON object with at least one member, in every sense, or hold no usable field. */
export const notAnObject = fc.oneof(
  fc.constantFrom('', '{', '{"password": "hunter2"', 'null', '[]', '"text"', '42', 'true', '{}', '\0', '\uFEFF{}', '{"a":1}x'),
  fc.constantFrom(1_000, 100_000).map((depth) => '['.repeat(depth)),
  // Deep, and an object, but its one member is no field's string.
  fc.constantFrom(1_000, 50_000).map((depth) => `{"username":${'{"a":'.repeat(depth)}1${'}'.repeat(depth + 1)}`),
  fc.array(hostileValue, { maxLength: 3 }).map((items) => JSON.stringify(items)),
  hostileString.map((text) => JSON.stringify(text)),
)

/** JSON media types (any case, with parameters) and everything else a client might claim. */
export const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json')
export const otherType = fc.constantFrom(
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'json',
)

/** Path segments that are not a user id, raw as they would appear in the URL. */
export const badId = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '1.5',
    '1e3',
    '0x1',
    '+1',
    '%201',
    '1%20',
    'abc',
    '%00',
    '..%2F..%2Fapi%2Fping',
    '%2e%2e',
    '99999999999999999999',
    '9007199254740993',
    '%D9%A1',
    'NaN',
    'Infinity',
    '__proto__',
    'constructor',
    '%E0%A4%A',
    '%',
    '%ZZ',
    "1'%20OR%20'1'%3D'1",
    '1%3BDROP%20TABLE%20users',
  ),
  fc.integer({ max: 0 }).map(String),
  fc.double({ noNaN: true }).map(String).filter((text) => !/^\d+$/.test(text)),
  hostileString.map(encodeSegment).filter((segment) => segment !== '' && !/^\d+$/.test(segment)),
)

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes in as raw bytes. */
export function encodeSegment(text: string): string {
  return [...text]
    .map((char) => {
      try {
        return encodeURIComponent(char)
      } catch {
        return '%ED%A0%80'
      }
    })
    .join('')
}

/** Query strings for page/per_page: nonsense values, repeated keys, bracket syntax, prototype keys. */
export const hostileQuery = fc
  .array(
    fc.tuple(
      fc.constantFrom('page', 'per_page', 'page[]', 'page[a]', 'per_page[0]', '__proto__', '__proto__[page]', 'constructor[prototype][x]', 'x'),
      fc.oneof(
        fc.constantFrom('0', '-1', '1.5', '1e2', '101', '100', '99999999999', '', ' 1', 'abc', '%', '%E0%A4%A', '1;DROP'),
        fc.integer().map(String),
        hostileString.map(encodeSegment),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join('&'))

const canBeHeader = (value: string) => {
  try {
    new Headers({ authorization: value })
    return true
  } catch {
    return false
  }
}
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 60 })

/** Authorization headers that carry no valid credentials of any scheme. */
export const garbageAuthorization = fc
  .oneof(
    fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'bearer',
      'Basic',
      'Basic ',
      'Basic ====',
      'Basic !!!',
      'Basic Og==',
      'Digest username="admin"',
      'Token abc',
      'Bearer null',
      'Bearer undefined',
      `Bearer ${'A'.repeat(43)}`,
      'Bearer a b',
      'Negotiate YII=',
      `Bearer ${'x'.repeat(10_000)}`,
      `Basic ${'QUFB'.repeat(5_000)}`,
    ),
    headerText,
    headerText.map((text) => `Bearer ${text}`),
    headerText.map((text) => `Basic ${text}`),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
    fc.string({ maxLength: 20 }).map((text) => `Basic ${Buffer.from(text.replaceAll(':', '')).toString('base64')}`),
  )
  .filter(canBeHeader)
