/**
 * In real Chromium: the agent page lists what the host offers (WireGuard, nftables,
 * distribution, init system, agent build); "Uninstall" asks first, saying what goes, sends the
 * command, and the page, the command history and the agents list then say "uninstalled".
 */
import { mkdirSync } from 'node:fs'
import type { Agent } from '@wirewarp/protocol'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, type Client, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AgentPool } from '../../apps/server/test/hubAgents.ts'
import { facts } from '../../apps/server/test/wsAgent.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const SHOTS = '/tmp/wirewarp-screenshots'

describe.skipIf(skip)('dashboard: host facts and uninstall', () => {
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

  test('the facts list shows the host; uninstall confirms, runs and marks the agent', async () => {
    const f = facts({
      host: {
        wireguard: 'kernel',
        nftables: 'v1.0.6',
        distribution: 'Debian GNU/Linux 12 (bookworm)',
        init: 'systemd',
        install: 'executable',
        node: '24.11.1',
      },
    })
    const enrolled = await pool.enrol('server', 'vps-leaving', undefined, f)
    // Again, as an agent that can uninstall itself.
    enrolled.socket.close()
    await enrolled.socket.closed
    const a = await pool.connect()
    a.hello(enrolled.agentId, enrolled.credential, 0, f, { commands: ['ping', 'diagnostics', 'restart', 'uninstall'] })
    await a.next('welcome')

    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${t.url}/agents/${enrolled.agentId}`)
    await page.getByText('Debian GNU/Linux 12 (bookworm)').waitFor()
    const shown = await page.locator('main').textContent()
    for (const text of ['kernel module', 'nftables v1.0.6', 'systemd', 'single executable, Node 24.11.1'])
      expect(shown).toContain(text)

    await page.getByRole('button', { name: 'Uninstall' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: `${SHOTS}/agent-uninstall-1280.png`, fullPage: true })
    expect(await dialog.textContent()).toMatch(/nftables table inet wirewarp.*executable, its config/)
    await dialog.getByRole('button', { name: 'Uninstall' }).click()

    const cmd = await a.next('command')
    expect(cmd.command).toBe('uninstall')
    a.send({ type: 'command_result', id: cmd.id, ok: true, result: { removed: ['/usr/local/lib/wirewarp'] } })
    a.close()
    await a.closed

    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${enrolled.agentId}`)).body)
      .toMatchObject({ status: 'disconnected', uninstalledAt: expect.any(String) })
    await expect.poll(() => page.getByTestId('agent-status').first().textContent()).toBe('uninstalled')
    await expect.poll(() => page.getByTestId('command-row').first().textContent()).toMatch(/^uninstall/)
    await page.goto(`${t.url}/agents`)
    const row = page.locator(`[data-agent-id="${enrolled.agentId}"]`)
    await expect.poll(() => row.getByTestId('agent-status').textContent()).toBe('uninstalled')
    await page.screenshot({ path: `${SHOTS}/agents-uninstalled-1280.png`, fullPage: true })
  })
})
