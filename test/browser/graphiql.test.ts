import { expect, test } from 'bun:test'
import { testApp } from '../helpers'
import { screenshotPath, servedToChromium } from './chromium'

const { app, signUp } = testApp()
const { origin, openOffline } = servedToChromium(app)

test('GraphiQL at /graphql logs in and shows the answer with the outside network blocked', async () => {
  await signUp('ada')
  const { page, blocked, refused } = await openOffline()
  // GraphiQL's own requests (its schema introspection among them) must all pass the hardening limits.
  const answers: Promise<string>[] = []
  page.on('response', (response) => {
    if (response.request().method() === 'POST') answers.push(response.text())
  })
  const query = 'mutation LogIn { createToken(username: "ada", password: "secret") { expiresAt } }'
  await page.goto(`${origin()}/graphql?query=${encodeURIComponent(query)}`)
  await page.locator('.graphiql-execute-button').click({ timeout: 30_000 })
  const response = page.locator('.graphiql-response')
  await response.getByText('expiresAt').waitFor({ timeout: 30_000 })
  expect(await response.innerText()).toMatch(/"createToken":\s*\{\s*"expiresAt":\s*"\d{4}-\d\d-\d\dT/)
  await page.screenshot({ path: screenshotPath('graphiql') })
  const bodies = await Promise.all(answers)
  expect(bodies.some((body) => body.includes('__schema'))).toBe(true)
  for (const body of bodies) expect(body).not.toContain('"errors"')
  expect(blocked).toEqual([])
  expect(refused).toEqual([])
}, 60_000)

test('the playground opens on the login walk-through', async () => {
  const { page, blocked, refused } = await openOffline()
  await page.goto(`${origin()}/graphql`)
  await page.getByText('createToken').first().waitFor({ timeout: 30_000 })
  expect(await page.locator('.graphiql-editor').first().innerText()).toContain('Authorization')
  expect(blocked).toEqual([])
  expect(refused).toEqual([])
}, 60_000)

test('no other page can frame the playground', async () => {
  const { page, refused } = await openOffline()
  const refusal = page.waitForEvent('console', { predicate: (message) => message.text().includes('frame-ancestors'), timeout: 30_000 })
  await page.setContent(`<iframe src="${origin()}/graphql"></iframe>`)
  await refusal
  expect(refused).toEqual([expect.stringContaining("frame-ancestors 'none'")])
  expect(await page.frames()[1]?.locator('body').innerText().catch(() => '')).not.toContain('GraphiQL')
}, 60_000)
