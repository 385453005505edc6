import { expect, test } from 'bun:test'
import { serverAudits } from 'graphql-http'
import { testApp } from '../helpers'

const { app } = testApp()

// Every audit, the MAYs and SHOULDs too, run through the app exactly as a client's fetch would reach it.
for (const audit of serverAudits({
  url: 'http://localhost/graphql',
  fetchFn: (input: RequestInfo | URL, init?: RequestInit) => app.handle(new Request(input, init)),
})) {
  test(`${audit.id} ${audit.name}`, async () => {
    const result = await audit.fn()
    expect({ status: result.status, reason: 'reason' in result ? result.reason : undefined }).toEqual({
      status: 'ok',
      reason: undefined,
    })
  })
}
