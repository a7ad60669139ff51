/**
 * The README's screenshots, taken from the real dashboard in Chromium on every run, so they stay
 * true: a VPS and a homelab agent (protocol-level stand-ins that apply what they get and report
 * a fresh handshake and forward traffic, as the real agent does), a few forwards, one disabled.
 * Each page is checked for what the picture is meant to show before it is taken.
 *
 * `npm run screenshots` writes them into docs/screenshots (the README's); any other run writes
 * them into a temporary folder, so a test run never changes the working tree.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PortForward } from '@wirewarp/protocol'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  ADMIN,
  type Client,
  seedTunnel,
  signIn,
  startTestServer,
  type TestServer,
} from '../../apps/server/test/harness.ts'
import { facts, WsAgent, wgPublicKey } from '../../apps/server/test/wsAgent.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const update = process.env.WIREWARP_UPDATE_SCREENSHOTS === '1'
const outDir = update ? path.join(REPO_ROOT, 'docs/screenshots') : mkdtempSync(path.join(tmpdir(), 'wirewarp-shots-'))

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

const credentialHash = (c: string) => createHash('sha256').update(c).digest('hex')

describe.skipIf(skip)('README screenshots', () => {
  let t: TestServer
  let api: Client
  let browser: Browser
  let desktop: BrowserContext
  let phone: BrowserContext
  const agents: WsAgent[] = []
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>
  const forwards: PortForward[] = []

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true })
    t = await startTestServer()
    tunnel = await seedTunnel(t.db, { server: 'vps-frankfurt', client: 'homelab' })
    const clientKey = wgPublicKey()
    for (const [agent, credential] of [
      [tunnel.serverAgent, 'wwa_screenshots-server'],
      [tunnel.clientAgent, 'wwa_screenshots-client'],
    ] as const)
      await t.db
        .updateTable('agents')
        .set({ credentialHash: credentialHash(credential) })
        .where('id', '=', agent.id)
        .execute()
    await t.db.updateTable('tunnelClients').set({ wgPublicKey: clientKey }).where('id', '=', tunnel.client.id).execute()

    // Both agents connect and apply whatever they are sent.
    const server = await WsAgent.connect(t.url)
    server.autoAck = true
    server.hello(tunnel.serverAgent.id, 'wwa_screenshots-server', 0, facts({ hostname: 'vps-frankfurt' }))
    await server.next('welcome')
    const client = await WsAgent.connect(t.url)
    client.autoAck = true
    client.hello(
      tunnel.clientAgent.id,
      'wwa_screenshots-client',
      0,
      facts({ hostname: 'homelab', publicKey: clientKey }),
    )
    await client.next('welcome')
    agents.push(server, client)

    api = await signIn(t)
    const specs = [
      { protocol: 'tcp', publicPort: 25565, destinationIp: '192.168.1.20', description: 'Minecraft survival world' },
      { protocol: 'udp', publicPort: 2302, publicPortEnd: 2305, destinationIp: '192.168.1.21', description: 'DayZ' },
      { protocol: 'tcp', publicPort: 443, destinationIp: '192.168.1.10', description: 'Home Assistant' },
      {
        protocol: 'tcp',
        publicPort: 3389,
        destinationIp: '192.168.1.30',
        description: 'Remote desktop',
        enabled: false,
      },
    ] as const
    for (const s of specs) {
      const reply = await api.post<PortForward>('/api/v1/port-forwards', {
        tunnelServerId: tunnel.server.id,
        tunnelClientId: tunnel.client.id,
        destinationPort: s.publicPort,
        preserveClientIp: s.protocol === 'udp',
        ...s,
      })
      expect(reply.status).toBe(201)
      forwards.push(reply.body)
    }
    // The VPS reports a handshake with the homelab and traffic through each forward.
    for (let i = 1; i <= 3; i++)
      server.send({
        type: 'metrics',
        at: new Date().toISOString(),
        sample: {
          cpu: 0.04 * i,
          memoryUsedBytes: 412e6,
          memoryTotalBytes: 2e9,
          load: [0.1, 0.08, 0.05],
          uptimeSeconds: 86_400 * 12,
          interfaces: [],
          peers: [
            {
              publicKey: clientKey,
              endpoint: '198.51.100.77:51820',
              latestHandshakeAt: new Date().toISOString(),
              rxBytes: 48e6 * i,
              txBytes: 910e6 * i,
            },
          ],
          forwards: forwards.map((f, n) => ({ id: f.id, packets: 1200 * i * (n + 1), bytes: 3.1e6 * i * (n + 1) })),
        },
      })

    browser = await launchChromium()
    desktop = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, colorScheme: 'light' })
    phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, colorScheme: 'light', isMobile: true })
    for (const context of [desktop, phone]) await signInPage(await context.newPage())
  })

  afterAll(async () => {
    for (const a of agents) a.socket.terminate()
    await browser?.close()
    await t?.close()
    if (!update) rmSync(outDir, { recursive: true, force: true })
  })

  async function signInPage(page: Page): Promise<void> {
    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => !url.pathname.startsWith('/login'))
    await page.close()
  }

  async function shoot(context: BrowserContext, pathname: string, file: string, ready: (p: Page) => Promise<void>) {
    const page = await context.newPage()
    await page.goto(`${t.url}${pathname}`)
    await ready(page)
    // Relative times ("3 s ago") tick; the picture is of a settled page.
    await page.evaluate(() => document.fonts.ready)
    await page.screenshot({ path: path.join(outDir, file), fullPage: false })
    await page.close()
  }

  const forwardsReady = async (page: Page) => {
    await expect.poll(() => page.locator('[data-testid="forward-applied"][data-state="working"]').count()).toBe(3)
    await expect.poll(() => page.locator('[data-testid="forward-applied"][data-state="disabled"]').count()).toBe(1)
  }
  const tunnelsReady = async (page: Page) => {
    await expect.poll(() => page.getByTestId('tunnel-state').first().getAttribute('data-state')).toBe('up')
  }
  const overviewReady = async (page: Page) => {
    await page.getByRole('heading', { name: 'Overview' }).waitFor()
    // Everything enabled works; the disabled forward is counted apart, not as a problem.
    await page.getByTestId('all-good').waitFor()
  }

  test('overview, desktop and phone', async () => {
    await shoot(desktop, '/overview', 'overview-desktop.png', overviewReady)
    await shoot(phone, '/overview', 'overview-phone.png', overviewReady)
  })

  test('port forwards, desktop and phone', async () => {
    await shoot(desktop, '/port-forwards', 'port-forwards-desktop.png', forwardsReady)
    await shoot(phone, '/port-forwards', 'port-forwards-phone.png', forwardsReady)
  })

  test('tunnels, desktop', async () => {
    await shoot(desktop, '/tunnel-servers', 'tunnels-desktop.png', tunnelsReady)
  })
})
