import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser } from 'playwright-core'
import { testApp } from '../helpers'
import { launchChromium, offlinePage } from './chromium'

const { app } = testApp()
let browser: Browser
let origin: string

beforeAll(async () => {
  app.listen({ port: 0, hostname: '127.0.0.1' })
  origin = `http://127.0.0.1:${app.server!.port}`
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await app.stop()
})

test('/swagger renders every endpoint with the outside network blocked', async () => {
  const { page, blocked } = await offlinePage(browser, origin)
  await page.goto(`${origin}/swagger`)
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
  await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/madblog-swagger.png` })
  expect(blocked).toEqual([])
}, 60_000)
