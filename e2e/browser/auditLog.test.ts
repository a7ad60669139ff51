/**
 * In real Chromium against a real server: after some changes the audit log names who acted and on
 * what (a deleted forward by what it opened), the action picker narrows the list to a group or to
 * one action, and the target filter matches the start of a name. Screenshots at desktop and phone
 * width go to /tmp/audit-1280.png and /tmp/audit-390.png.
 */
import type { PortForward } from '@wirewarp/protocol'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, seedTunnel, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/

describe.skipIf(skip)('dashboard: the audit log in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    t = await startTestServer()
    const admin = await signIn(t)
    const tunnel = await seedTunnel(t.db, { server: 'vps-frankfurt', client: 'homelab-attic' })
    const base = {
      tunnelServerId: tunnel.server.id,
      tunnelClientId: tunnel.client.id,
      destinationIp: '192.168.1.20',
    }
    const post = async (body: Record<string, unknown>) => {
      const r = await admin.post<PortForward>('/api/v1/port-forwards', { ...base, ...body })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body
    }
    const cloud = await post({ protocol: 'tcp', publicPort: 8443, destinationPort: 443, description: 'Nextcloud' })
    const game = await post({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    expect((await admin.post(`/api/v1/port-forwards/${cloud.id}/disable`)).status).toBe(200)
    expect((await admin.delete(`/api/v1/port-forwards/${game.id}`)).status).toBe(204)
    expect((await admin.patch(`/api/v1/tunnel-servers/${tunnel.server.id}`, { mtu: 1380 })).status).toBe(200)
    const user = await admin.post('/api/v1/users', {
      email: 'robin@example.com',
      name: 'Robin',
      password: 'plum tractor 42 lagoon',
    })
    expect(user.status).toBe(201)

    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${t.url}/audit-log`)
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/audit-log/)
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const rows = () => page.getByTestId('audit-row')
  /** [action, target] of each row shown. */
  const shown = async () =>
    rows().evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = tr.querySelectorAll('td')
        return [
          cells[2]?.textContent?.trim() ?? '',
          tr.querySelector('[data-testid="audit-target"]')?.textContent?.trim() ?? '',
        ]
      }),
    )
  const apply = async () => {
    await page.getByRole('button', { name: 'Apply filters' }).click()
  }

  test('entries name the actor and the target, never a bare id', async () => {
    await rows().first().waitFor()
    const all = await shown()
    expect(all).toEqual(
      expect.arrayContaining([
        ['port_forward.create', 'Nextcloud'],
        ['port_forward.disable', 'Nextcloud'],
        // Deleted, without a description: by what it opened.
        ['port_forward.create', 'TCP 25565'],
        ['port_forward.delete', 'TCP 25565'],
        ['tunnel_server.update', 'vps-frankfurt'],
        ['user.create', 'robin@example.com'],
      ]),
    )
    for (const [, target] of all) expect(target).not.toMatch(UUID)
    expect(await rows().first().locator('td').nth(1).textContent()).toContain(ADMIN.email)
    await page.screenshot({ path: '/tmp/audit-1280.png', fullPage: true })
  })

  test('the action picker narrows to a group, then to one action', async () => {
    const picker = page.locator('select[name="action"]')
    await picker.selectOption({ label: 'Every port forward action' })
    await apply()
    await expect
      .poll(async () => new Set((await shown()).map(([a]) => a)))
      .toEqual(new Set(['port_forward.create', 'port_forward.disable', 'port_forward.delete']))
    await picker.selectOption({ label: 'Port forward: delete' })
    await apply()
    await expect.poll(shown).toEqual([['port_forward.delete', 'TCP 25565']])
  })

  test('the target filter matches the start of a name, ignoring case', async () => {
    await page.locator('select[name="action"]').selectOption({ label: 'Any action' })
    await page.fill('input[name="target"]', 'nextc')
    await apply()
    await expect
      .poll(async () => (await shown()).map(([a, target]) => `${a} ${target}`).sort())
      .toEqual(['port_forward.create Nextcloud', 'port_forward.disable Nextcloud'])
    await page.fill('input[name="target"]', '%')
    await apply()
    await page.getByText('No entries match these filters').waitFor()
    await page.getByRole('button', { name: 'Clear' }).click()
    await rows().nth(5).waitFor()
  })

  test('on a phone each entry is a card that fits the width', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    const cards = page.getByTestId('audit-card')
    await cards.first().waitFor()
    expect(await rows().first().isVisible()).toBe(false)
    const texts = await cards.allTextContents()
    expect(texts.some((c) => c.includes('port_forward.delete') && c.includes('TCP 25565'))).toBe(true)
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }))
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
    expect(await page.getByRole('button', { name: 'Apply filters' }).isVisible()).toBe(true)
    await page.screenshot({ path: '/tmp/audit-390.png', fullPage: true })
  })
})
