import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
import { createApp, openMigratedDatabase } from '../../src/app'
import { listenOptions } from '../../src/server'
import { testConfig } from '../helpers'

/** Raw HTTP over a socket: a client that declares what it likes, which fetch would not. */
function rawRequest(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body))
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk
      if (answer.includes('\r\n\r\n') && answer.includes('}')) socket.end()
    })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    setTimeout(() => {
      socket.destroy()
      resolve(answer)
    }, 3000)
  })
}

describe('body limit on a listening server', () => {
  const config = testConfig({ maxBodyBytes: 1024 })
  const app = createApp(config, openMigratedDatabase(config))
  let port: number
  beforeAll(() => {
    app.listen({ ...listenOptions(config), port: 0, hostname: '127.0.0.1' })
    port = app.server!.port!
  })
  afterAll(() => app.stop(true))

  test('a declared length over MAX_BODY_BYTES is a JSON 413 before the body is sent', async () => {
    const answer = await rawRequest(
      port,
      'POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n',
    )
    expect(answer).toStartWith('HTTP/1.1 413')
    expect(answer).toContain('{"error":"Payload Too Large"}')
  })

  test('a chunked body is a JSON 411', async () => {
    const answer = await rawRequest(
      port,
      'POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      '2\r\n{}\r\n0\r\n\r\n',
    )
    expect(answer).toStartWith('HTTP/1.1 411')
    expect(answer).toContain('{"error":"Length Required"}')
  })

  test('a body within the limit goes through', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', email: 'alice@example.com', password: 'secret' }),
    })
    expect(response.status).toBe(201)
  })
})
