/**
 * In real Chromium against a real server: edit a tunnel client (gateway on and off, a LAN IP the
 * server refuses), edit a tunnel server's MTU, and watch a new forward go from "pending" to
 * "tunnel down" on the open page when the server agent (a protocol-level stand-in) acknowledges it,
 * then "working" once it reports a handshake with the client; a disabled forward shows "disabled".
 */
import { createHash } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, seedTunnel, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { WsAgent, wgPublicKey } from '../../apps/server/test/wsAgent.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

// seedTunnel creates agents that never registered, so they have no credential: give the server
// agent one, so the stand-in can say hello as it.
const SERVER_CREDENTIAL = 'wwa_browser-test-server-agent'

describe.skipIf(skip)('dashboard: tunnel servers and clients in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>
  let serverAgent: WsAgent | undefined

  beforeAll(async () => {
    t = await startTestServer()
    tunnel = await seedTunnel(t.db)
    await t.db
      .updateTable('agents')
      .set({ credentialHash: createHash('sha256').update(SERVER_CREDENTIAL).digest('hex') })
      .where('id', '=', tunnel.serverAgent.id)
      .execute()
    browser = await launchChromium()
    page = await browser.newPage()
  })
  afterAll(async () => {
    serverAgent?.socket.terminate()
    await browser?.close()
    await t?.close()
  })

  const storedClient = () =>
    t.db.selectFrom('tunnelClients').selectAll().where('id', '=', tunnel.client.id).executeTakeFirstOrThrow()

  test('a client becomes a gateway with its LAN, then stops being one', async () => {
    await page.goto(`${t.url}/tunnel-clients/${tunnel.client.id}`)
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    // Back where we were headed.
    await page.waitForURL(/\/tunnel-clients\//)
    await expect.poll(() => page.locator('select[name="tunnelServerId"]').inputValue()).toBe(tunnel.server.id)

    const gateway = page.locator('input[name="isGateway"]')
    expect(await gateway.isChecked()).toBe(false)
    expect(await page.locator('[name="lanNetworks"]').count()).toBe(0)
    await gateway.check()
    await page.fill('textarea[name="lanNetworks"]', '192.168.78.0/24')
    await page.fill('input[name="lanIp"]', '192.168.78.1')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved.').waitFor()

    const row = await storedClient()
    expect(Boolean(row.isGateway)).toBe(true)
    expect(JSON.parse(row.lanNetworks)).toEqual(['192.168.78.0/24'])
    expect(row.lanIp).toBe('192.168.78.1')

    // Off again: the LAN fields go away, and saving keeps them stored for next time.
    await gateway.uncheck()
    expect(await page.locator('[name="lanNetworks"]').count()).toBe(0)
    expect(await page.locator('[name="lanIp"]').count()).toBe(0)
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved.').waitFor()
    const off = await storedClient()
    expect(Boolean(off.isGateway)).toBe(false)
    expect(JSON.parse(off.lanNetworks)).toEqual(['192.168.78.0/24'])
  })

  test('a LAN IP outside the LAN networks is refused next to the field', async () => {
    await page.locator('input[name="isGateway"]').check()
    expect(await page.locator('textarea[name="lanNetworks"]').inputValue()).toBe('192.168.78.0/24')
    await page.fill('input[name="lanIp"]', '10.20.30.40')
    await page.getByRole('button', { name: 'Save' }).click()

    const error = page.getByTestId('error-lanIp')
    await error.waitFor()
    expect(await error.textContent()).toBe('Must be inside one of the LAN networks')
    expect(await page.locator('input[name="lanIp"]').getAttribute('aria-invalid')).toBe('true')
    expect((await storedClient()).lanIp).toBe('192.168.78.1')
  })

  test('a tunnel server gets a new MTU', async () => {
    // From the client's facts to its server's page.
    await page.getByRole('link', { name: tunnel.server.name }).click()
    await page.waitForURL(new RegExp(`/tunnel-servers/${tunnel.server.id}$`))
    const mtu = page.locator('input[name="mtu"]')
    await expect.poll(() => mtu.inputValue()).toBe('1420')
    await mtu.fill('1380')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved.').waitFor()

    const row = await t.db
      .selectFrom('tunnelServers')
      .selectAll()
      .where('id', '=', tunnel.server.id)
      .executeTakeFirstOrThrow()
    expect(row.mtu).toBe(1380)
    expect(row.publicIp).toBe('203.0.113.10')
  })

  test('a new forward is pending, then tunnel down, then working without a reload; disabled when disabled', async () => {
    // The server agent connects but does not acknowledge anything yet.
    serverAgent = await WsAgent.connect(t.url)
    serverAgent.hello(tunnel.serverAgent.id, SERVER_CREDENTIAL)
    await serverAgent.next('welcome')

    await page.getByRole('link', { name: 'Port forwards' }).first().click()
    await page.waitForURL(/\/port-forwards/)
    await expect.poll(() => page.locator('select[name="tunnelServerId"]').inputValue()).toBe(tunnel.server.id)

    await page.getByRole('button', { name: 'New forward' }).click()
    await page.selectOption('select[name="tunnelClientId"]', tunnel.client.id)
    await page.fill('input[name="publicPort"]', '8443')
    await page.fill('input[name="destinationIp"]', '192.168.78.20')
    await page.getByRole('button', { name: 'Save' }).click()

    const row = page.locator('tr[data-testid="forward-row"]').filter({ hasText: '8443' })
    await row.waitFor()
    const applied = row.getByTestId('forward-applied')
    await expect.poll(() => applied.textContent()).toBe('pending')
    expect(await applied.getAttribute('title')).toBe('the server agent has not applied this change yet')
    // No traffic figures before the agent reported any.
    expect(await row.getByTestId('forward-traffic').textContent()).toBe('—')

    // From here on the page must change by itself: a reload would reset this.
    await page.evaluate(() => {
      ;(globalThis as { __marker?: number }).__marker = 1
    })
    const { desiredRevision } = await t.db
      .selectFrom('agents')
      .select('desiredRevision')
      .where('id', '=', tunnel.serverAgent.id)
      .executeTakeFirstOrThrow()
    serverAgent.send({ type: 'applied', revision: Number(desiredRevision), ok: true, durationMs: 5 })

    // Applied, but no handshake was reported for the client (it has no key yet): not working.
    await expect.poll(() => applied.getAttribute('data-state')).toBe('tunnel_down')
    expect(await applied.textContent()).toBe('tunnel down(no key yet: the client agent has not connected)')
    expect(await page.evaluate(() => (globalThis as { __marker?: number }).__marker)).toBe(1)

    // The client's key is known and the server reports a fresh handshake with it: working.
    const clientKey = wgPublicKey()
    await t.db.updateTable('tunnelClients').set({ wgPublicKey: clientKey }).where('id', '=', tunnel.client.id).execute()
    serverAgent.send({
      type: 'metrics',
      at: new Date().toISOString(),
      sample: {
        cpu: 0,
        memoryUsedBytes: 1,
        memoryTotalBytes: 2,
        load: [0, 0, 0],
        uptimeSeconds: 1,
        interfaces: [],
        peers: [
          { publicKey: clientKey, endpoint: null, latestHandshakeAt: new Date().toISOString(), rxBytes: 1, txBytes: 1 },
        ],
      },
    })
    await expect.poll(() => applied.textContent(), { timeout: 30_000 }).toBe('working')

    // A disabled forward is never shown as working, applied or not.
    await row.getByRole('switch', { name: 'Enabled' }).click()
    await expect.poll(() => applied.textContent()).toBe('disabled')
    await row.getByRole('switch', { name: 'Enabled' }).click()
    await expect.poll(() => applied.textContent()).not.toBe('disabled')

    // The agent goes away: nothing can be applied now, and the page says so by itself.
    serverAgent.close()
    await serverAgent.closed
    await expect.poll(() => applied.textContent()).toBe('agent offline')
  })
})
