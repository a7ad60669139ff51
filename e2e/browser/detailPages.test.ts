/**
 * In real Chromium against a real server: the pages about one item (agent, tunnel server, tunnel
 * client) say so when the address holds no id (without asking the server), when the item does not
 * exist (with the way back), and show the item otherwise; an answer that does not fit the protocol
 * shows as such, with no "Try again" that cannot help, while a server failure offers one.
 */
import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, seedTunnel, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

describe.skipIf(skip)('dashboard: detail pages in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>
  const apiCalls: string[] = []
  const consoleErrors: string[] = []

  beforeAll(async () => {
    t = await startTestServer()
    tunnel = await seedTunnel(t.db)
    browser = await launchChromium()
    page = await browser.newPage()
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/')) apiCalls.push(new URL(r.url()).pathname)
    })
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })

    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.pathname !== '/login')
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  test('an address without an id says so, and the server is not asked', async () => {
    apiCalls.length = 0
    await page.goto(`${t.url}/agents/not-a-uuid`)
    await page.getByText('This agent link is not valid').waitFor()
    expect(await page.getByText('not-a-uuid', { exact: true }).isVisible()).toBe(true)
    const back = page.getByRole('link', { name: 'Go to the agents' })
    expect(await back.getAttribute('href')).toBe('/agents')
    expect(apiCalls.filter((p) => p.startsWith('/api/v1/agents/'))).toEqual([])
  })

  test('an id nobody has shows "does not exist" with the way back to the list', async () => {
    await page.goto(`${t.url}/tunnel-clients/${randomUUID()}`)
    await page.getByText('This tunnel client does not exist').waitFor()
    // A 404 will not change: no retry is offered.
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0)
    await page.getByRole('link', { name: 'Go to the tunnels' }).click()
    await page.waitForURL(/\/tunnel-servers$/)
  })

  test('a real id shows the page', async () => {
    await page.goto(`${t.url}/tunnel-clients/${tunnel.client.id}`)
    await page.getByRole('heading', { name: 'homelab-1' }).waitFor()
    await page.goto(`${t.url}/tunnel-servers/${tunnel.server.id}`)
    await page.getByRole('heading', { name: 'vps-1' }).waitFor()
    await page.goto(`${t.url}/agents/${tunnel.clientAgent.id}`)
    await page.getByRole('heading', { name: 'homelab-1' }).waitFor()
  })

  test('an answer that does not fit the protocol is reported, not shown', async () => {
    const path = `/api/v1/tunnel-clients/${tunnel.client.id}`
    await page.route(`**${path}`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: tunnel.client.id }) }),
    )
    try {
      await page.goto(`${t.url}/tunnel-clients/${tunnel.client.id}`)
      await page.getByText('The server sent an unexpected answer').waitFor()
      expect(await page.getByRole('heading', { name: 'homelab-1' }).count()).toBe(0)
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0)
    } finally {
      await page.unroute(`**${path}`)
    }
  })

  test('a server failure offers a retry, and the retry shows the page', async () => {
    const path = `/api/v1/tunnel-servers/${tunnel.server.id}`
    let failing = true
    await page.route(`**${path}`, (route) =>
      failing
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'unavailable', message: 'The database is not answering.' } }),
          })
        : route.continue(),
    )
    try {
      await page.goto(`${t.url}/tunnel-servers/${tunnel.server.id}`)
      // The query client retries a 5xx twice (1 s, then 2 s) before the page shows it.
      await page.getByText('The database is not answering.').waitFor({ timeout: 15_000 })
      failing = false
      await page.getByRole('button', { name: 'Try again' }).click()
      await page.getByRole('heading', { name: 'vps-1' }).waitFor()
    } finally {
      await page.unroute(`**${path}`)
    }
  })

  test('parsing answers needs no eval (the Content-Security-Policy forbids it)', () => {
    expect(consoleErrors.filter((e) => /eval|Content Security Policy/i.test(e))).toEqual([])
  })
})
