/**
 * The dashboard tells the truth about a real tunnel: in the lab (real agents, wireguard-go,
 * nftables), with no public IP on the tunnel server, Chromium shows the homelab's tunnel down
 * because "the server has no public IP" and its forward not working; one click fills the public
 * IP from the address the VPS agent connects from, and the same pages then show the tunnel up
 * (a handshake the VPS agent reported) and the forward working. A disabled forward reads
 * "disabled", never "working".
 *
 * Skipped when not root, without the tools, a build or Chromium; failing under CI=true instead.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, skipBrowser } from '../browser/chromium.ts'
import { LAB_ADMIN_EMAIL, Lab, labUnavailable } from './lab.ts'
import { ADDRESSES } from './topology.ts'

const unavailable = labUnavailable()
if (unavailable && process.env.CI)
  test('the lab can run in CI', () => {
    throw new Error(`cannot run the lab: ${unavailable}`)
  })
const skip = unavailable !== null || skipBrowser()

/** The dashboard refetches tunnel clients every 15 s; the agents report metrics every 2 s here. */
const SHOWS_WITHIN_MS = 45_000

describe.skipIf(skip)('the dashboard on a real tunnel', { timeout: 120_000 }, () => {
  let lab: Lab
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    lab = await Lab.up({ publicIp: false, metricsSeconds: 2 })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await Lab.down()
  }, 60_000)

  const clientState = () =>
    page
      .locator(`[data-testid="tunnel-client-row"][data-tunnel-client-id="${lab.tunnelClient.id}"]`)
      .getByTestId('tunnel-state')

  test('without a public IP the tunnel is down, and says why', async () => {
    await page.goto(`${lab.server.localUrl}/tunnel-servers`)
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', LAB_ADMIN_EMAIL)
    await page.fill('input[name="password"]', lab.server.admin.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/tunnel-servers$/)

    await expect.poll(() => clientState().getAttribute('data-state')).toBe('down')
    expect(await clientState().getByTestId('tunnel-down-reason').textContent()).toMatch(/the server has no public IP/)
    // The server is flagged where its clients are listed.
    expect(await page.getByTestId('no-public-ip').first().isVisible()).toBe(true)

    // And the agents are connected all the same: "connected" is not "the tunnel works".
    for (const a of [lab.vps, lab.homelab]) expect((await lab.api.agent(a.agentId)).status).toBe('connected')
  })

  test('a forward through the down tunnel does not show as working', async () => {
    await lab.api.createForward({
      tunnelServerId: lab.tunnelServer.id,
      tunnelClientId: lab.tunnelClient.id,
      protocol: 'tcp',
      publicPort: 8080,
      destinationIp: lab.tunnelClient.tunnelIp!,
      destinationPort: 8080,
      description: 'lab dashboard',
    })
    await lab.waitConverged()
    await page.goto(`${lab.server.localUrl}/port-forwards`)
    const applied = page.getByTestId('forward-applied').first()
    await expect.poll(() => applied.getAttribute('data-state'), { timeout: SHOWS_WITHIN_MS }).toBe('tunnel_down')
  })

  test('one click sets the public IP from the agent, and the tunnel comes up', async () => {
    await page.goto(`${lab.server.localUrl}/tunnel-servers/${lab.tunnelServer.id}`)
    // The VPS agent connects to the control server from its public address.
    await page.getByRole('button', { name: `Use ${ADDRESSES.vpsPublic}` }).click()
    await expect
      .poll(
        async () =>
          (await lab.api.request<{ publicIp: string | null }>('GET', `/api/v1/tunnel-servers/${lab.tunnelServer.id}`))
            .publicIp,
      )
      .toBe(ADDRESSES.vpsPublic)
    await lab.waitConverged()

    await page.goto(`${lab.server.localUrl}/tunnel-servers`)
    await expect.poll(() => clientState().getAttribute('data-state'), { timeout: SHOWS_WITHIN_MS }).toBe('up')
    const client = await lab.api.request<{ tunnel: { state: string; latestHandshakeAt: string | null } }>(
      'GET',
      `/api/v1/tunnel-clients/${lab.tunnelClient.id}`,
    )
    expect(client.tunnel.state).toBe('up')
    expect(Date.now() - Date.parse(client.tunnel.latestHandshakeAt ?? '')).toBeLessThan(180_000)
    // The handshake is real: the homelab's WireGuard has one with the VPS.
    const dump = await lab.homelab.wg(['show', 'wg0', 'latest-handshakes'])
    expect(Number(dump.trim().split(/\s+/)[1])).toBeGreaterThan(0)

    await page.goto(`${lab.server.localUrl}/port-forwards`)
    const applied = page.getByTestId('forward-applied').first()
    await expect.poll(() => applied.getAttribute('data-state'), { timeout: SHOWS_WITHIN_MS }).toBe('working')
  })

  test('a disabled forward on the working tunnel shows disabled, never working', async () => {
    const forwards = await lab.api.request<{ items: { id: string }[] }>('GET', '/api/v1/port-forwards?limit=100')
    for (const f of forwards.items) await lab.api.setForwardEnabled(f.id, false)
    await lab.waitConverged()
    await page.goto(`${lab.server.localUrl}/port-forwards`)
    const applied = page.getByTestId('forward-applied').first()
    await expect.poll(() => applied.getAttribute('data-state')).toBe('disabled')
    expect(await page.locator('[data-testid="forward-applied"][data-state="working"]').count()).toBe(0)
  })
})
