import { expect, test } from 'bun:test'
import { testApp } from '../helpers'
import { screenshotPath, servedToChromium } from './chromium'

const { app } = testApp()
const { origin, openOffline } = servedToChromium(app)

test('/swagger renders every endpoint with the outside network blocked', async () => {
  const { page, blocked, refused } = await openOffline()
  await page.goto(`${origin()}/swagger`)
  await page.getByText('/api/tokens').first().waitFor({ timeout: 30_000 })
  const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ')
  expect(text).toContain('madblog API')
  for (const operation of [
    'GET /api/ping',
    'POST /api/users',
    'GET /api/users',
    'GET /api/users/{id}',
    'PUT /api/users/{id}',
    'DELETE /api/users/{id}',
    'POST /api/tokens',
    'DELETE /api/tokens',
  ])
    expect(text).toContain(operation)
  // Scalar's cloud features would send the document to a third party, and offline they only fail.
  for (const cloudFeature of ['Ask AI', 'Generate MCP', 'Connect MCP', 'Share', 'Deploy', 'Configure', 'Developer Tools'])
    expect(text).not.toContain(cloudFeature)
  // The document's server makes the examples absolute: curl needs a URL, not "/api/ping".
  expect(text).toContain(`curl ${origin()}/api/ping`)
  await page.screenshot({ path: screenshotPath('swagger') })
  expect(blocked).toEqual([])
  expect(refused).toEqual([])
}, 60_000)
