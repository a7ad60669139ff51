/**
 * In real Chromium against a real server: the API docs carry the product's name (page title, the
 * top bar's logo, the OpenAPI document's title), and the docs' CSP lets them load without one
 * violation. A screenshot goes to /tmp/docs.png.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { anonymous, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

describe.skipIf(skip)('API docs in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    t = await startTestServer()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('console', (m) => {
      if (m.type() === 'error' || /content security policy/i.test(m.text())) problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(e.message))
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  test('the OpenAPI document is titled WireWarp', async () => {
    const doc = await anonymous(t).get<{ info: { title: string } }>('/api/docs/json')
    expect(doc.status).toBe(200)
    expect(doc.body.info.title).toMatch(/^WireWarp\b/)
  })

  test('the docs page shows WireWarp, not Swagger, and the CSP refuses nothing', async () => {
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
      )
    })
    await page.goto(`${t.url}/api/docs`)
    // The operations are listed: the UI's scripts ran and loaded the document.
    await page.getByText('/api/v1/port-forwards').first().waitFor()
    expect(await page.title()).toBe('WireWarp API')
    const logo = page.locator('.topbar a img').first()
    await logo.waitFor()
    expect(await logo.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/)
    // The image decoded (a refused or broken one has no natural width).
    expect(await logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
    expect(await page.locator('.information-container .title').first().textContent()).toMatch(/WireWarp/)
    await page.screenshot({ path: '/tmp/docs.png' })
    expect(problems).toEqual([])
  })
})
