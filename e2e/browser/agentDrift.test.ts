/**
 * In real Chromium: the agent page shows the last drift repair the agent reported, live, and
 * "Check now" sends `check_drift` and shows what the agent answered.
 */
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, type Client, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AgentPool } from '../../apps/server/test/hubAgents.ts'
import { facts } from '../../apps/server/test/wsAgent.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const SHOTS = '/tmp/wirewarp-screenshots'

describe.skipIf(skip)('dashboard: drift repair', () => {
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

  test('the last repair appears live; Check now runs check_drift', async () => {
    const f = facts()
    const enrolled = await pool.enrol('server', 'vps-drifting', undefined, f)
    enrolled.socket.close()
    await enrolled.socket.closed
    const a = await pool.connect()
    a.hello(enrolled.agentId, enrolled.credential, 0, f, {
      commands: ['ping', 'diagnostics', 'restart', 'check_drift'],
    })
    await a.next('welcome')

    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${t.url}/agents/${enrolled.agentId}`)
    await page.getByText('No drift repaired yet').waitFor()

    a.send({
      type: 'drift_repaired',
      at: new Date().toISOString(),
      ok: true,
      items: [
        { what: 'nftables', detail: 'table inet wirewarp missing' },
        { what: 'wireguard', detail: '1 peer missing' },
      ],
    })
    const repair = page.getByTestId('last-repair')
    await repair.waitFor()
    expect(await repair.textContent()).toMatch(
      /Repaired.*nftables table inet wirewarp missing.*wireguard 1 peer missing/,
    )

    await page.getByRole('button', { name: 'Check now' }).click()
    const cmd = await a.next('command')
    expect(cmd.command).toBe('check_drift')
    a.send({ type: 'command_result', id: cmd.id, ok: true, result: { ok: true, items: [], checked: true } })
    const result = page.getByTestId('command-result')
    await expect.poll(() => result.textContent()).toMatch(/check_drift.*success/)
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: `${SHOTS}/agent-drift-1280.png`, fullPage: true })
  })
})
