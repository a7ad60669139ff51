/**
 * In real Chromium against a real server: the dashboard and the API docs work under the
 * server's Content-Security-Policy. Sign in, open a few dashboard pages and /api/docs, and see
 * no CSP violation (event or console message) and the docs' operations rendered.
 */
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, seedTunnel, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
// Outside the tree: a screenshot is for a person to look at, not to commit.
const SCREENSHOTS = path.join(tmpdir(), 'wirewarp-screenshots')

describe.skipIf(skip)('security headers: the dashboard and API docs in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  const violations: string[] = []
  const cspConsole: string[] = []

  beforeAll(async () => {
    t = await startTestServer()
    await seedTunnel(t.db)
    browser = await launchChromium()
    page = await browser.newPage()
    // A binding outlives navigations; the listener is installed in every new document.
    await page.exposeBinding('reportCspViolation', (_source, text: string) => {
      violations.push(text)
    })
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const report = (globalThis as unknown as { reportCspViolation: (t: string) => void }).reportCspViolation
        report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`)
      })
    })
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspConsole.push(m.text())
    })
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  test('sign in and open dashboard pages: no CSP violations', async () => {
    const login = await page.goto(`${t.url}/login`)
    expect(login?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    expect(login?.headers()['x-frame-options']).toBe('DENY')
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    // A POST from the page: the CSRF check needs the Origin header the referrer policy keeps.
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))

    for (const [url, link] of [
      ['/agents', 'Agents'],
      ['/tunnel-servers', 'Tunnels'],
      ['/port-forwards', 'Port forwards'],
      ['/audit-log', 'Audit log'],
    ] as const) {
      await page.goto(t.url + url)
      await page.getByRole('link', { name: link }).first().waitFor()
      await page.getByRole('heading').first().waitFor()
    }
    // The audit log shows the sign-in: the page fetched its data under the policy.
    await page.getByTestId('audit-row').filter({ hasText: 'auth.login' }).first().waitFor()
    expect(violations).toEqual([])
    expect(cspConsole).toEqual([])
  })

  test('the API docs render their operations: no CSP violations', async () => {
    const docs = await page.goto(`${t.url}/api/docs`)
    expect(docs?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 })
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20)
    await page.getByText('/api/v1/auth/login').first().waitFor()
    // Open one operation: its schema and "Try it out" come from the same scripts and styles.
    await page.locator('.opblock-summary').first().click()
    await page.getByRole('button', { name: 'Try it out' }).first().waitFor()
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: path.join(SCREENSHOTS, 'api-docs.png'), fullPage: false })
    expect(violations).toEqual([])
    expect(cspConsole).toEqual([])
  })

  test('the policy is enforced, and a violation would be seen', async () => {
    // Proves the two checks above can fail: an injected inline script is refused and reported.
    violations.length = 0
    await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'globalThis.__inlineRan = true'
      document.body.append(s)
    })
    await expect.poll(() => violations.length).toBeGreaterThan(0)
    expect(violations[0]).toMatch(/script-src/)
    expect(await page.evaluate(() => (globalThis as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined()
  })
})
