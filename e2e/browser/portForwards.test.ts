/**
 * In real Chromium against a real server: sign in, create forwards from the Minecraft Java
 * template, see the forward listed, disable it, sign out.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, seedTunnel, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

describe.skipIf(skip)('dashboard: port forwards in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>

  beforeAll(async () => {
    t = await startTestServer()
    tunnel = await seedTunnel(t.db)
    browser = await launchChromium()
    page = await browser.newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  test('sign in, create from the Minecraft template, disable, sign out', async () => {
    await page.goto(`${t.url}/port-forwards`)
    // Not signed in: the dashboard sends us to the sign-in page.
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', 'wrong password!!')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByText('The email address or password is not correct.').count()).toBe(1)

    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Port forwards' }).first().click()
    await page.waitForURL(/\/port-forwards/)
    await expect.poll(() => page.locator('select[name="tunnelServerId"]').inputValue()).toBe(tunnel.server.id)

    await page.getByRole('button', { name: 'From template' }).click()
    await page.selectOption('select[name="templateId"]', { label: 'Minecraft Java' })
    await page.selectOption('select[name="tunnelClientId"]', tunnel.client.id)
    await page.fill('input[name="destinationIp"]', '192.168.1.50')
    await page.getByRole('button', { name: 'Create forwards' }).click()

    const row = page.locator('tr[data-testid="forward-row"]').filter({ hasText: '25565' })
    await row.waitFor()
    expect(await row.textContent()).toMatch(/tcp/)
    expect(await row.textContent()).toMatch(/192\.168\.1\.50/)

    const toggle = row.getByRole('switch', { name: 'Enabled' })
    expect(await toggle.getAttribute('aria-checked')).toBe('true')
    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false')

    // What the page shows is what the server stored.
    const stored = await t.db.selectFrom('portForwards').selectAll().execute()
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({
      publicPort: 25565,
      protocol: 'tcp',
      destinationIp: '192.168.1.50',
      destinationPort: 25565,
    })
    expect(Boolean(stored[0]!.enabled)).toBe(false)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/login/)
    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)
    expect(me).toBe(401)
  })
})
