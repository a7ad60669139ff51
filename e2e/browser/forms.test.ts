/**
 * In real Chromium: a form checks itself before sending and shows every wrong field at once,
 * beside its field, in the server's words; a conflict names the other forward; a server without
 * a tunnel client explains what a forward needs; a custom template can be edited.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { insertAgent } from '../../apps/server/src/store/agents.ts'
import { insertTunnelServer } from '../../apps/server/src/store/tunnelServers.ts'
import {
  ADMIN,
  type Client,
  seedTunnel,
  signIn,
  startTestServer,
  type TestServer,
} from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const PORT_RULE = 'Must be a whole number from 1 to 65535'

describe.skipIf(skip)('dashboard: forms in Chromium', () => {
  let t: TestServer
  let admin: Client
  let browser: Browser
  let page: Page
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>
  let lonely: { id: string }

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    tunnel = await seedTunnel(t.db)
    // A second tunnel server that no client connects to yet.
    const agent = await insertAgent(t.db, { name: 'vps-lonely', kind: 'server' })
    lonely = await insertTunnelServer(t.db, {
      agentId: agent.id,
      name: 'vps-lonely',
      publicIp: '203.0.113.20',
      publicInterface: 'eth0',
    })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const forwards = () => t.db.selectFrom('portForwards').selectAll().execute()
  const error = (name: string) => page.locator(`[data-testid="error-${name}"]`)

  test('three wrong fields show three messages at once, and nothing is sent', async () => {
    await page.goto(`${t.url}/port-forwards?server=${tunnel.server.id}`)
    await page.getByRole('button', { name: 'New forward' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name="publicPort"]').fill('70000')
    await dialog.locator('input[name="destinationIp"]').fill('192.168.1.300')
    await dialog.locator('input[name="destinationPort"]').fill('0')
    await dialog.getByRole('button', { name: 'Save' }).click()

    await expect.poll(() => error('publicPort').textContent()).toBe(PORT_RULE)
    expect(await error('destinationIp').textContent()).toBe('Must be an IPv4 or IPv6 address')
    expect(await error('destinationPort').textContent()).toBe(PORT_RULE)
    // Beside their fields, marked for screen readers too.
    for (const name of ['publicPort', 'destinationIp', 'destinationPort']) {
      expect(await dialog.locator(`[name="${name}"]`).getAttribute('aria-invalid'), name).toBe('true')
    }
    // The client defaulted to the only one; nothing else is flagged, and nothing at the top.
    expect(await error('tunnelClientId').count()).toBe(0)
    expect(await dialog.getByRole('alert').count()).toBe(0)
    expect(await forwards()).toHaveLength(0)

    // Fixed: it is saved.
    await dialog.locator('input[name="publicPort"]').fill('25565')
    await dialog.locator('input[name="destinationIp"]').fill('192.168.1.30')
    await dialog.locator('input[name="destinationPort"]').fill('25565')
    await dialog.locator('input[name="description"]').fill('Minecraft')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await page.locator('tr[data-testid="forward-row"]').filter({ hasText: '25565' }).waitFor()
    expect(await forwards()).toHaveLength(1)
  })

  test('a bad number and a backwards range are told in words before sending', async () => {
    await page.getByRole('button', { name: 'New forward' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name="publicPort"]').fill('8080')
    await dialog.locator('input[name="publicPortEnd"]').fill('8000')
    await dialog.locator('input[name="destinationIp"]').fill('192.168.1.30')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => error('publicPortEnd').textContent()).toBe('Must not be lower than the public port')

    // An emptied required number reads as the field's rule.
    await dialog.locator('input[name="publicPortEnd"]').fill('')
    await dialog.locator('input[name="destinationPort"]').fill('')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => error('destinationPort').textContent()).toBe(PORT_RULE)
    expect(await error('publicPortEnd').count()).toBe(0)
    expect(await forwards()).toHaveLength(1)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
  })

  test('a conflict shows at the top, names the other forward, and marks the field', async () => {
    await page.getByRole('button', { name: 'New forward' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name="publicPort"]').fill('25565')
    await dialog.locator('input[name="destinationIp"]').fill('192.168.1.31')
    await dialog.getByRole('button', { name: 'Save' }).click()

    const top = dialog.getByRole('alert')
    await top.waitFor()
    const text = (await top.textContent()) ?? ''
    expect(text).toContain('"Minecraft" (TCP 25565)')
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
    expect(await error('publicPort').textContent()).toContain('"Minecraft" (TCP 25565)')
    // Asking again cannot help with a conflict: no "Try again" here.
    expect(await dialog.getByRole('button', { name: 'Try again' }).count()).toBe(0)
    expect(await forwards()).toHaveLength(1)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
  })

  test('a server without a tunnel client explains what a forward needs, with a link', async () => {
    await page.goto(`${t.url}/port-forwards?server=${lonely.id}`)
    await page.getByRole('button', { name: 'New forward' }).click()
    const notice = page.getByTestId('no-client')
    await notice.waitFor()
    expect(await notice.textContent()).toContain('A forward needs a tunnel client (the homelab side)')
    expect(await page.getByRole('dialog').locator('select[name="tunnelClientId"]').count()).toBe(0)
    const link = notice.getByRole('link', { name: 'Tunnels page' })
    expect(await link.getAttribute('href')).toBe('/tunnel-servers')

    // The template dialog says the same.
    await page.getByRole('button', { name: 'Close' }).click()
    await page.getByRole('button', { name: 'From template' }).click()
    await page.getByTestId('no-client').waitFor()
    await page.getByTestId('no-client').getByRole('link', { name: 'Tunnels page' }).click()
    await page.waitForURL(/\/tunnel-servers$/)
  })

  test('a custom template is edited in place; its errors show all at once', async () => {
    const made = await admin.post<{ id: string }>('/api/v1/service-templates', {
      name: 'Valheim',
      ports: [{ protocol: 'udp', port: 2456, portEnd: 2458 }],
    })
    expect(made.status).toBe(201)
    await page.goto(`${t.url}/service-templates`)
    await page.getByRole('button', { name: 'Edit Valheim' }).click()
    const dialog = page.getByRole('dialog')
    const name = dialog.locator('input[name="name"]')
    await expect.poll(() => name.inputValue()).toBe('Valheim')
    expect(await dialog.locator('input[name="ports.0.portEnd"]').inputValue()).toBe('2458')

    await name.fill('')
    await dialog.locator('input[name="ports.0.port"]').fill('0')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => error('name').textContent()).toBe('Must not be empty')
    expect(await error('ports.0.port').textContent()).toBe(PORT_RULE)

    await name.fill('Valheim dedicated')
    await dialog.locator('input[name="ports.0.port"]').fill('2456')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await page.locator('[data-testid="template-row"]').filter({ hasText: 'Valheim dedicated' }).waitFor()
    const stored = await t.db
      .selectFrom('serviceTemplates')
      .selectAll()
      .where('id', '=', made.body.id)
      .executeTakeFirstOrThrow()
    expect(stored.name).toBe('Valheim dedicated')
    expect(JSON.parse(stored.ports)).toEqual([{ protocol: 'udp', port: 2456, portEnd: 2458 }])
    // Built-in templates have no Edit.
    expect(await page.getByRole('button', { name: 'Edit DayZ' }).count()).toBe(0)
  })
})
