import { afterAll, beforeAll } from 'bun:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { App } from '../../src/app'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Where tests leave their screenshots, to be looked at by a person. */
export const screenshotPath = (name: string) => `${process.env.SCREENSHOT_DIR ?? '/tmp'}/madblog-${name}.png`

function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/**
 * Serves the app on a free loopback port and starts Chromium for the tests of this file; `openOffline` gives a
 * page that blocks every request leaving this machine and lists what was tried.
 */
export function servedToChromium(app: App) {
  let browser: Browser
  let origin = ''

  beforeAll(async () => {
    app.listen({ port: 0, hostname: '127.0.0.1' })
    origin = `http://127.0.0.1:${app.server!.port}`
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await app.stop()
  })

  return {
    origin: () => origin,
    /** `refused` lists what the page's Content-Security-Policy stopped, as Chromium reports it. */
    async openOffline(): Promise<{ page: Page; blocked: string[]; refused: string[] }> {
      const page = await browser.newPage()
      const blocked: string[] = []
      const refused: string[] = []
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) refused.push(message.text())
      })
      await page.route('**/*', (route) => {
        const url = route.request().url()
        if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue()
        blocked.push(url)
        return route.abort()
      })
      return { page, blocked, refused }
    },
  }
}
