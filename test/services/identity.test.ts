import { describe, expect, test } from 'bun:test'
import { emailKey, normalizeEmail, normalizeUsername, usernameKey } from '../../src/services/identity'

// Every name of issue 10, and the ordinary ones that must keep working. `stored` is the NFKC form kept, `key`
// what it is unique by; a refused name has neither.
const USERNAMES: { name: string; why: string; stored?: string; key?: string }[] = [
  { name: 'admin', why: 'plain ASCII', stored: 'admin', key: 'admin' },
  { name: 'Admin', why: 'case', stored: 'Admin', key: 'admin' },
  { name: 'ａｄｍｉｎ', why: 'fullwidth folds to ASCII', stored: 'admin', key: 'admin' },
  { name: '𝐚𝐝𝐦𝐢𝐧', why: 'mathematical bold folds to ASCII', stored: 'admin', key: 'admin' },
  { name: '\u212Aelvin', why: 'the Kelvin sign is K', stored: 'Kelvin', key: 'kelvin' },
  { name: 'kelvin', why: 'plain', stored: 'kelvin', key: 'kelvin' },
  { name: 'ärger', why: 'non-ASCII lower case', stored: 'ärger', key: 'ärger' },
  { name: 'ÄRGER', why: 'non-ASCII upper case', stored: 'ÄRGER', key: 'ärger' },
  { name: 'josé', why: 'precomposed é', stored: 'josé', key: 'josé' },
  { name: 'jose\u0301', why: 'e + combining acute composes', stored: 'josé', key: 'josé' },
  { name: 'José', why: 'capitalised', stored: 'José', key: 'josé' },
  { name: 'älice', why: 'lower', stored: 'älice', key: 'älice' },
  { name: 'ÄLICE', why: 'upper', stored: 'ÄLICE', key: 'älice' },
  { name: 'Straße', why: 'ß folds to ss', stored: 'Straße', key: 'strasse' },
  { name: 'lisi', why: "the tutorial's pinyin", stored: 'lisi', key: 'lisi' },
  { name: 'zhangsan', why: "the tutorial's pinyin", stored: 'zhangsan', key: 'zhangsan' },
  { name: '张三', why: 'Chinese', stored: '张三', key: '张三' },
  { name: 'Иван', why: 'Cyrillic alone', stored: 'Иван', key: 'иван' },
  { name: 'Σωκράτης', why: 'Greek alone; final sigma folds', stored: 'Σωκράτης', key: 'σωκράτησ' },
  { name: 'user_1.test-x', why: '. _ - and digits', stored: 'user_1.test-x', key: 'user_1.test-x' },
  { name: 'x'.repeat(64), why: '64 characters', stored: 'x'.repeat(64), key: 'x'.repeat(64) },
  { name: '张'.repeat(64), why: '64 Chinese characters', stored: '张'.repeat(64), key: '张'.repeat(64) },
  { name: 'admin ', why: 'trailing space' },
  { name: ' admin', why: 'leading space' },
  { name: 'admin\u00a0', why: 'NBSP' },
  { name: 'ad\u200bmin', why: 'zero-width space' },
  { name: 'ad\u200dmin', why: 'zero-width joiner' },
  { name: 'ad\u00admin', why: 'soft hyphen' },
  { name: '\ufeffadmin', why: 'byte-order mark' },
  { name: '\u202enimda', why: 'right-to-left override' },
  { name: '\u200b\u200b\u200b', why: 'only zero-width spaces' },
  { name: 'аdmin', why: 'Cyrillic а among Latin letters' },
  { name: 'αdmin', why: 'Greek α among Latin letters' },
  { name: "o'brien", why: 'apostrophe is not a letter, mark, digit or . _ -' },
  { name: 'a:b', why: "':' cannot travel in Basic auth" },
  { name: 'tab\there', why: 'control character' },
  { name: 'new\nline', why: 'control character' },
  { name: '\ue000admin', why: 'private use' },
  { name: 'ad\u0378min', why: 'unassigned code point' },
  { name: '\u0301admin', why: 'a leading combining mark' },
  { name: '', why: 'empty' },
  { name: 'x'.repeat(65), why: '65 characters' },
  { name: '\ufb00'.repeat(33), why: 'ﬀ is two characters after NFKC: 66' },
  { name: 'a b', why: 'inner space' },
  { name: 'admin!', why: 'punctuation' },
]

describe('the identity rule: usernames', () => {
  for (const { name, why, stored, key } of USERNAMES)
    test(`${JSON.stringify(name)} (${why}) is ${stored === undefined ? 'refused' : `stored as ${JSON.stringify(stored)}`}`, () => {
      expect(normalizeUsername(name)).toBe(stored as string)
      if (stored !== undefined) expect(usernameKey(stored)).toBe(key!)
    })

  test('only strings are usernames', () => {
    for (const value of [undefined, null, 42, ['admin'], { admin: 1 }]) expect(normalizeUsername(value)).toBeUndefined()
  })

  test('the key is stable: the key of a key is itself, and of any accepted spelling the same', () => {
    for (const { stored } of USERNAMES) if (stored) expect(usernameKey(usernameKey(stored))).toBe(usernameKey(stored))
    expect(new Set(['admin', 'ADMIN', 'ａｄｍｉｎ', '𝐚𝐝𝐦𝐢𝐧', 'Ａｄｍｉｎ'].map((name) => usernameKey(normalizeUsername(name)!))).size).toBe(1)
  })
})

describe('the identity rule: emails', () => {
  test('stored in NFC with the domain lower-cased, the local part as given', () => {
    expect(normalizeEmail('ÄLICE@Example.COM')).toBe('ÄLICE@example.com')
    expect(normalizeEmail('jose\u0301@example.com')).toBe('josé@example.com')
    expect(normalizeEmail('madman@163.com')).toBe('madman@163.com')
  })

  test('unique regardless of case in any script', () => {
    expect(emailKey(normalizeEmail('ÄLICE@example.com')!)).toBe(emailKey(normalizeEmail('älice@EXAMPLE.com')!))
    expect(emailKey(normalizeEmail('jose\u0301@example.com')!)).toBe(emailKey(normalizeEmail('JOSÉ@example.com')!))
    expect(emailKey('a@example.com')).not.toBe(emailKey('b@example.com'))
  })

  test('refused: not an address, invisible characters, too long, not a string', () => {
    for (const value of ['nope', 'a@b', 'ad\u200bmin@example.com', '\u202eadmin@example.com', 'a\u0000@example.com', `${'x'.repeat(120)}@example.com`, 42, null])
      expect(normalizeEmail(value)).toBeUndefined()
  })
})
