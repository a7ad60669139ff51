/**
 * In real Chromium: an agent older than the newest release shows "outdated → <version>" on the
 * agents list; its Update button asks first, naming from → to, sends the update command (the
 * stand-in agent receives it with the release's URL) and the page then shows what the agent
 * reported: "updated …" or "rolled back: …". The agent page holds an agent at its version. Both
 * pages stay within a 390 px phone.
 */
import { mkdirSync, rmSync } from 'node:fs'
import type { Agent, AgentFacts } from '@wirewarp/protocol'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { NEW, writeFakeRelease } from '../../apps/server/test/fakeRelease.ts'
import { ADMIN, type Client, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AgentPool } from '../../apps/server/test/hubAgents.ts'
import { facts, type WsAgent } from '../../apps/server/test/wsAgent.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const SHOTS = '/tmp/wirewarp-screenshots'
const OLD = '0.1.0-test'
const COMMANDS = ['ping', 'diagnostics', 'restart', 'uninstall', 'update']

describe.skipIf(skip)('dashboard: agent self-update', () => {
  let t: TestServer
  let admin: Client
  let browser: Browser
  let page: Page
  let root: string
  const pool = new AgentPool(
    () => t,
    () => admin,
  )

  beforeAll(async () => {
    root = writeFakeRelease()
    t = await startTestServer({ releasesDir: root })
    admin = await signIn(t)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.setDefaultTimeout(15_000)
  })
  afterAll(async () => {
    pool.closeAll()
    await browser?.close()
    await t?.close()
    rmSync(root, { recursive: true, force: true })
  })

  const f = (): AgentFacts =>
    facts({
      version: OLD,
      arch: 'x64',
      host: {
        wireguard: 'kernel',
        nftables: 'v1.0.6',
        distribution: 'Debian GNU/Linux 12 (bookworm)',
        init: 'systemd',
        install: 'executable',
        node: '24.22.3',
      },
    })

  async function updater(name: string) {
    const e = await pool.enrol('server', name, undefined, f())
    e.socket.close()
    await e.socket.closed
    const socket = await pool.connect()
    socket.hello(e.agentId, e.credential, 0, e.facts, { commands: COMMANDS })
    await socket.next('welcome')
    // The welcome comes before the hello is stored.
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${e.agentId}`)).body.commands, { timeout: 10_000 })
      .toContain('update')
    return { ...e, socket }
  }

  /** Answers the update, restarts and comes back reporting `state`. */
  async function restartAs(
    u: { agentId: string; credential: string; facts: AgentFacts; socket: WsAgent },
    state: 'confirmed' | 'rolled_back',
  ) {
    const cmd = await u.socket.next('command', 10_000)
    u.socket.send({ type: 'command_result', id: cmd.id, ok: true, result: { from: OLD, to: NEW, state: 'restarting' } })
    u.socket.close()
    await u.socket.closed
    const back = await pool.connect()
    const reason = state === 'rolled_back' ? 'the new version did not connect within 120 s' : null
    back.hello(
      u.agentId,
      u.credential,
      0,
      { ...u.facts, version: state === 'confirmed' ? NEW : OLD },
      {
        commands: COMMANDS,
        update: { state, from: OLD, to: NEW, reason, at: new Date().toISOString() },
      },
    )
    await back.next('welcome')
    return cmd
  }

  async function fitsPhone(label: string, shot: string) {
    await page.setViewportSize({ width: 390, height: 844 })
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width, `${label} is ${width}px wide at 390`).toBeLessThanOrEqual(390)
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: `${SHOTS}/${shot}-390.png`, fullPage: true })
    await page.setViewportSize({ width: 1280, height: 800 })
  }

  test('outdated badge, Update with a confirmation, the command sent and the outcome shown', async () => {
    const good = await updater('vps-updates-fine')
    const bad = await updater('vps-rolls-back')

    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${t.url}/agents`)

    const row = page.locator(`[data-agent-id="${good.agentId}"]`)
    await expect
      .poll(() => row.getByTestId('agent-outdated').textContent(), { timeout: 10_000 })
      .toBe(`outdated → ${NEW}`)
    await page.getByRole('button', { name: 'Update all outdated' }).waitFor()
    await fitsPhone('the agents list', 'agents-outdated')

    await row.getByRole('button', { name: 'Update' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toMatch(new RegExp(`from ${OLD.replace(/\./g, '\\.')} to ${NEW}`))
    await dialog.getByRole('button', { name: `Update to ${NEW}` }).click()
    const cmd = await restartAs(good, 'confirmed')
    expect(cmd.command).toBe('update')
    expect(cmd.params).toMatchObject({ version: NEW, url: `${t.url}/releases/${NEW}/wirewarp-agent-linux-x64` })
    await expect
      .poll(() => row.getByTestId('agent-update-outcome').textContent(), { timeout: 10_000 })
      .toBe(`updated ${OLD} → ${NEW}`)
    expect(await row.getByTestId('agent-outdated').count()).toBe(0)
    await page.screenshot({ path: `${SHOTS}/agents-updated-1280.png`, fullPage: true })

    // The other one, from its own page: it rolls back, and the page says why.
    await page.goto(`${t.url}/agents/${bad.agentId}`)
    await page.getByTestId('agent-outdated').waitFor()
    await page.getByRole('button', { name: 'Update', exact: true }).click()
    await page
      .getByRole('dialog')
      .getByRole('button', { name: `Update to ${NEW}` })
      .click()
    await restartAs(bad, 'rolled_back')
    await expect
      .poll(() => page.getByTestId('agent-update-outcome').textContent(), { timeout: 10_000 })
      .toBe(`rolled back to ${OLD}: the new version did not connect within 120 s`)
    await expect
      .poll(() => page.getByTestId('command-row').first().textContent(), { timeout: 10_000 })
      .toMatch(/^update/)

    // Hold it at its version.
    await page.getByRole('switch', { name: 'Hold at this version' }).click()
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${bad.agentId}`)).body.holdVersion, { timeout: 10_000 })
      .toBe(true)
    await page.getByTestId('agent-held').waitFor()
    await fitsPhone('the agent page', 'agent-rolled-back')
  })
})
