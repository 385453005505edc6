import { describe, expect, test } from 'bun:test'
import { clientAddress, forwardedAddress, UNKNOWN_CLIENT } from '../../src/http/client-address'

const request = (forwardedFor?: string) =>
  new Request('http://localhost/', { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } })
const socket = { requestIP: () => ({ address: '10.0.0.9' }) }

describe('client address', () => {
  test('without TRUST_PROXY, X-Forwarded-For is ignored: the socket decides', () => {
    expect(clientAddress(0)(request('1.2.3.4'), socket)).toBe('10.0.0.9')
  })

  test('with one trusted proxy, the right-most entry counts: what the client wrote on the left cannot', () => {
    expect(clientAddress(1)(request('6.6.6.6, 1.2.3.4'), socket)).toBe('1.2.3.4')
    expect(clientAddress(1)(request('1.2.3.4'), socket)).toBe('1.2.3.4')
  })

  test('with two, the second from the right; short headers give their left-most entry', () => {
    expect(forwardedAddress('6.6.6.6, 1.2.3.4, 10.0.0.1', 2)).toBe('1.2.3.4')
    expect(forwardedAddress('1.2.3.4', 2)).toBe('1.2.3.4')
  })

  test('a request without the header falls back to the socket, and with no socket to one shared key', () => {
    expect(clientAddress(1)(request(), socket)).toBe('10.0.0.9')
    expect(clientAddress(1)(request(' , '), null)).toBe(UNKNOWN_CLIENT)
    expect(clientAddress(0)(request(), null)).toBe(UNKNOWN_CLIENT)
  })

  test('entries are trimmed, lower-cased and bounded in length', () => {
    expect(forwardedAddress('x,  2001:DB8::1 ', 1)).toBe('2001:db8::1')
    expect(forwardedAddress('a'.repeat(10_000), 1)).toHaveLength(64)
  })
})
