/**
 * In real Chromium against a real server: an admin lands on the overview after signing in; with
 * nothing set up it says what to do first; with two seeded tunnels (one server without a public
 * IP), a connected server agent and two forwards (one disabled), its counts match, a forward goes
 * from waiting for the agent to "tunnel down" by itself, each tunnel that is down shows why, and a
 * click leads to the client's page. It fits a phone without scrolling sideways.
 */
import { createHash } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, seedTunnel, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { WsAgent } from '../../apps/server/test/wsAgent.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

// seedTunnel's agents never registered: give the first server agent a credential to say hello with.
const SERVER_CREDENTIAL = 'wwa_browser-test-overview-server'

describe.skipIf(skip)('dashboard: the overview in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  let serverAgent: WsAgent | undefined

  beforeAll(async () => {
    t = await startTestServer()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  })
  afterAll(async () => {
    serverAgent?.socket.terminate()
    await browser?.close()
    await t?.close()
  })

  const count = (name: string) => page.getByTestId(`count-${name}`).textContent()

  test('an admin lands on the overview; with nothing set up it points to adding an agent', async () => {
    await page.goto(`${t.url}/`)
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/overview$/)
    await page.getByText('Nothing to watch yet').waitFor()
    const add = page.getByRole('link', { name: 'Go to Agents → Add agent' })
    expect(await add.getAttribute('href')).toBe('/agents')
    // The first-run guide walks through either job, each step linking to where it is done.
    const sites = page.getByTestId('first-run-sites')
    const vpn = page.getByTestId('first-run-vpn')
    expect(await sites.getByRole('link').evaluateAll((a) => a.map((l) => l.getAttribute('href')))).toEqual([
      '/agents',
      '/tunnel-servers',
      '/agents',
      '/port-forwards',
    ])
    expect(await vpn.textContent()).toContain('serve --local-agent')
    expect(await vpn.getByRole('link').evaluateAll((a) => a.map((l) => l.getAttribute('href')))).toEqual([
      '/devices',
      '/rules',
      '/users',
    ])
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: '/tmp/overview-empty-390.png', fullPage: true })
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.screenshot({ path: '/tmp/overview-empty-1280.png' })
  })

  test('the counts match what exists, and a tunnel that is down says why', async () => {
    const first = await seedTunnel(t.db, { server: 'vps-1', client: 'homelab-1' })
    const second = await seedTunnel(t.db, { server: 'vps-2', client: 'homelab-2' })
    await t.db.updateTable('tunnelServers').set({ publicIp: null }).where('id', '=', second.server.id).execute()
    await t.db
      .updateTable('agents')
      .set({ credentialHash: createHash('sha256').update(SERVER_CREDENTIAL).digest('hex') })
      .where('id', '=', first.serverAgent.id)
      .execute()
    const api = await signIn(t)
    for (const [publicPort, enabled] of [
      [8443, true],
      [9000, false],
    ] as const) {
      const r = await api.post('/api/v1/port-forwards', {
        tunnelServerId: first.server.id,
        tunnelClientId: first.client.id,
        protocol: 'tcp',
        publicPort,
        destinationIp: '192.168.1.20',
        destinationPort: 443,
        description: enabled ? 'Web server' : '',
        enabled,
      })
      expect(r.status).toBe(201)
    }
    serverAgent = await WsAgent.connect(t.url)
    serverAgent.hello(first.serverAgent.id, SERVER_CREDENTIAL)
    await serverAgent.next('welcome')

    await page.reload()
    await page.getByTestId('overview-agents').waitFor()
    expect(await count('agents-connected')).toBe('1')
    expect(await count('agents-disconnected')).toBe('0')
    expect(await count('agents-pending')).toBe('3')
    expect(await count('tunnels-up')).toBe('0')
    expect(await count('tunnels-down')).toBe('2')
    expect(await count('forwards-working')).toBe('0')
    expect(await count('forwards-not-working')).toBe('1')
    expect(await count('forwards-disabled')).toBe('1')

    const down = page.locator(`[data-testid="attention-tunnel"][data-id="${second.client.id}"]`)
    expect(await down.getByTestId('attention-reason').textContent()).toBe('the server has no public IP')
    const noKey = page.locator(`[data-testid="attention-tunnel"][data-id="${first.client.id}"]`)
    expect(await noKey.getByTestId('attention-reason').textContent()).toBe(
      'no key yet: the client agent has not connected',
    )
    // Only the enabled forward needs attention: the connected agent has not applied it yet.
    const forwards = page.getByTestId('attention-forward')
    expect(await forwards.count()).toBe(1)
    expect(await forwards.getAttribute('data-state')).toBe('pending')
    expect(await forwards.getByTestId('attention-reason').textContent()).toBe(
      'waiting for the agent to apply this change',
    )
    // Once it has, the page changes by itself (a live event): applied, but the client's tunnel is down.
    const { desiredRevision } = await t.db
      .selectFrom('agents')
      .select('desiredRevision')
      .where('id', '=', first.serverAgent.id)
      .executeTakeFirstOrThrow()
    serverAgent.send({ type: 'applied', revision: Number(desiredRevision), ok: true, durationMs: 5 })
    await expect.poll(() => forwards.getAttribute('data-state')).toBe('tunnel_down')
    expect(await forwards.getByTestId('attention-reason').textContent()).toBe(
      'tunnel down: no key yet: the client agent has not connected',
    )
    expect(await page.getByTestId('attention-agent').count()).toBe(3)

    await page.screenshot({ path: '/tmp/overview-1280.png', fullPage: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.screenshot({ path: '/tmp/overview-1280-dark.png', fullPage: true })
    await page.emulateMedia({ colorScheme: 'light' })

    // On a phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await page.screenshot({ path: '/tmp/overview-390.png', fullPage: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.screenshot({ path: '/tmp/overview-390-dark.png', fullPage: true })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.setViewportSize({ width: 1280, height: 800 })

    // A click leads to the client, whose page says the same.
    await down.getByRole('link').click()
    await page.waitForURL(new RegExp(`/tunnel-clients/${second.client.id}$`))
    await page.getByText('the server has no public IP').first().waitFor()
  })
})
