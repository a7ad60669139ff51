/**
 * In real Chromium against a real server, with a real agent process: "Add agent" shows the install
 * command; the agent registered with its token turns "connected" on the open page without a
 * reload (live events), then "disconnected" when it stops.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import YAML from 'yaml'
import { ADMIN, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()
const AGENT_CLI = fileURLToPath(new URL('../../apps/agent/dist/wirewarp-agent.js', import.meta.url))

describe.skipIf(skip)('dashboard: agents in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  let dir: string
  let agent: ChildProcess | undefined
  let agentLog = ''

  beforeAll(async () => {
    if (!existsSync(AGENT_CLI)) throw new Error(`${AGENT_CLI} is missing: build it with npm run build -w apps/agent`)
    dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-agent-browser-'))
    t = await startTestServer()
    browser = await launchChromium()
    page = await browser.newPage()
  })
  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGKILL')
      await exited(agent)
    }
    await browser?.close()
    await t?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('add an agent, see it connect and disconnect live', async () => {
    await page.goto(`${t.url}/agents`)
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/agents$/)
    await page.getByText('No agents yet').waitFor()

    // The header and the empty state both offer it.
    await page.getByRole('button', { name: 'Add agent' }).first().click()
    await page.check('input[name="kind"][value="server"]')
    await page.fill('input[name="name"]', 'vps-browser')
    await page.getByRole('button', { name: 'Create install command' }).click()

    const command = page.getByTestId('install-command')
    await command.waitFor()
    const text = (await command.textContent()) ?? ''
    expect(text).toContain('/install/server')
    expect(text).toContain("--token 'wwr_")
    // The test server listens on http://127.0.0.1: no VPS could use this command, and the dialog says so.
    expect(await page.getByTestId('install-url-warning').textContent()).toMatch(
      /127\.0\.0\.1, this machine itself.*WIREWARP_PUBLIC_URL/,
    )
    await expect.poll(() => page.getByText(/This token works once and expires at .+ \(in 24 hours\)/).count()).toBe(1)
    const token = /--token '([^']+)'/.exec(text)?.[1]
    expect(token).toBeDefined()

    await page.getByRole('button', { name: 'Done' }).click()
    await expect.poll(() => page.getByTestId('registration-token-row').count()).toBe(1)

    // From here on the page must change by itself: a reload would reset this.
    await page.evaluate(() => {
      ;(globalThis as { __marker?: number }).__marker = 1
    })

    const configPath = path.join(dir, 'agent.yaml')
    const stateDir = path.join(dir, 'state')
    // --state-dir keeps the agent's WireGuard key out of /var/lib/wirewarp on the test machine.
    await promisify(execFile)(process.execPath, [
      AGENT_CLI,
      'register',
      '--url',
      t.url,
      '--token',
      token!,
      '--mode',
      'server',
      '--config',
      configPath,
      '--state-dir',
      stateDir,
    ])
    // The default linux driver would change this machine's network; the recording one only writes files.
    const config = YAML.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>
    config.driver = 'recording'
    config.stateDir = stateDir
    writeFileSync(configPath, YAML.stringify(config), { mode: 0o600 })
    const agentId = String(config.agentId)

    const row = page.locator(`tr[data-testid="agent-row"][data-agent-id="${agentId}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain('vps-browser')
    // Using the token took it off the waiting list.
    await expect.poll(() => page.getByTestId('registration-token-row').count()).toBe(0)

    const child = spawn(process.execPath, [AGENT_CLI, 'run', '--config', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    agent = child
    child.stderr?.on('data', (chunk: Buffer) => {
      agentLog += chunk.toString()
    })
    await expect
      .poll(() => agentLog, { timeout: 10_000, message: `agent did not connect; its log:\n${agentLog}` })
      .toMatch(/connected/)

    const status = row.getByTestId('agent-status')
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('connected')

    child.kill('SIGTERM')
    await exited(child)
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('disconnected')

    expect(await page.evaluate(() => (globalThis as { __marker?: number }).__marker)).toBe(1)
  })
})

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}
