/**
 * In real Chromium: an agent whose hello claims another peer's WireGuard key keeps its own, and
 * its page says why, plainly, at desktop and phone width.
 */
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, type Client, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AgentPool } from '../../apps/server/test/hubAgents.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const SHOTS = '/tmp/wirewarp-screenshots'

describe.skipIf(skip)('dashboard: a refused WireGuard key', () => {
  let t: TestServer
  let admin: Client
  let browser: Browser
  let page: Page
  const pool = new AgentPool(
    () => t,
    () => admin,
  )

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  })
  afterAll(async () => {
    pool.closeAll()
    await browser?.close()
    await t?.close()
  })

  test('the agent page names the peer that holds the key', async () => {
    const server = await pool.enrol('server', 'vps-keys')
    const client = await pool.enrol('client', 'lab-keys', server.row.tunnelServerId!)
    client.socket.close()
    await client.socket.closed
    const again = await pool.connect()
    again.hello(client.agentId, client.credential, client.first.state.revision, {
      ...client.facts,
      publicKey: server.facts.publicKey,
    })
    await again.next('welcome')

    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${t.url}/agents/${client.agentId}`)
    const note = page.getByTestId('key-conflict')
    await note.waitFor()
    expect(await note.textContent()).toMatch(/already used by the tunnel server vps-keys; it keeps its previous key/)
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: `${SHOTS}/key-conflict-1280.png`, fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    // At phone width the note still fits: nothing runs off the side of the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: `${SHOTS}/key-conflict-390.png`, fullPage: true })
  })
})
