/**
 * In real Chromium against a real server: a user adds a device; the page makes its key pair,
 * sends only the public key, and shows the QR code and the download of a config whose private key
 * matches the public key the server stored. Once with WebCrypto, once with `crypto.subtle` gone
 * (a dashboard over plain http on a LAN address), where @noble/curves makes the key instead.
 * No request the page sends, and nothing it stores, contains the private key. Rotating the key
 * does the same again; and what the VPN settings forbid users, the page does not offer.
 */
import { readFile } from 'node:fs/promises'
import { type Device, MISSING_PRIVATE_KEY_NOTE } from '@wirewarp/protocol'
import type { Browser, BrowserContext, Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, seedTunnel, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { publicKeyOf } from '../../apps/web/src/wireguard/generateKeyPair.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

const USER = { email: 'alice@example.com', name: 'Alice', password: 'alice password 12' }
// A tunnel server takes devices once it has a public IP and a WireGuard key (its agent reports the key).
const SERVER_KEY = 'gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA='

describe.skipIf(skip)('dashboard: a user adds a device, its key made in the browser', () => {
  let t: TestServer
  let admin: Client
  let browser: Browser

  beforeAll(async () => {
    t = await startTestServer()
    const tunnel = await seedTunnel(t.db)
    await t.db
      .updateTable('tunnelServers')
      .set({ wgPublicKey: SERVER_KEY })
      .where('id', '=', tunnel.server.id)
      .execute()
    admin = await signIn(t)
    expect((await admin.post('/api/v1/users', { ...USER, role: 'user' })).status).toBe(201)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  async function addDevice(context: BrowserContext, name: string) {
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const sent: Request[] = []
    page.on('request', (r) => sent.push(r))

    await page.goto(`${t.url}/login`)
    await page.fill('input[name="email"]', USER.email)
    await page.fill('input[name="password"]', USER.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    // A user's start page is their devices.
    await page.waitForURL((u) => u.pathname === '/devices')

    await page.getByRole('main').getByRole('button', { name: 'Add device' }).first().click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name="name"]').fill(name)
    // One tunnel server: nothing to choose.
    expect(await dialog.locator('select[name="tunnelServerId"]').count()).toBe(0)
    await dialog.getByRole('button', { name: 'Add device' }).click()

    const ready = dialog.getByTestId('device-config-ready')
    await ready.waitFor()
    expect(await ready.getByRole('img', { name: /QR code/ }).count()).toBe(1)
    expect(await ready.textContent()).toMatch(/shown only now/)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      ready.getByRole('button', { name: /^Download / }).click(),
    ])
    expect(download.suggestedFilename()).toBe(`${name}.conf`)
    const config = await readFile((await download.path())!, 'utf8')
    return { page, sent, config, source: await ready.getAttribute('data-key-source') }
  }

  async function expectKeyStayedInPage(page: Page, sent: Request[], privateKey: string) {
    expect(sent.length).toBeGreaterThan(0)
    const posted = sent.filter((r) => r.method() !== 'GET')
    // The key's POST went out, with the public key and nothing more secret.
    expect(posted.some((r) => /\/api\/v1\/devices(\/[^/]+\/rotate-key)?$/.test(r.url()))).toBe(true)
    for (const r of sent) {
      expect(r.url()).not.toContain(privateKey)
      expect(r.url()).not.toContain(encodeURIComponent(privateKey))
      expect(r.postData() ?? '').not.toContain(privateKey)
      expect(JSON.stringify(await r.allHeaders())).not.toContain(privateKey)
    }
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie)
    expect(stored).not.toContain(privateKey)
  }

  async function deviceNamed(name: string): Promise<Device> {
    const list = await admin.get<{ items: Device[] }>('/api/v1/devices?limit=500')
    expect(list.status).toBe(200)
    const device = list.body.items.find((d) => d.name === name)
    expect(device, `no device named ${name}`).toBeDefined()
    return device!
  }

  async function check(context: BrowserContext, name: string, source: 'webcrypto' | 'noble') {
    const added = await addDevice(context, name)
    expect(added.source).toBe(source)

    const keyLines = added.config.split('\n').filter((l) => /PrivateKey/.test(l))
    expect(keyLines).toHaveLength(1)
    const privateKey = /^PrivateKey = ([A-Za-z0-9+/]{43}=)$/.exec(keyLines[0]!)?.[1]
    expect(privateKey, `not a key line: ${keyLines[0]}`).toBeDefined()
    expect(added.config).not.toContain(MISSING_PRIVATE_KEY_NOTE)

    const device = await deviceNamed(name)
    expect(await publicKeyOf(privateKey!)).toBe(device.publicKey)
    expect(device.userEmail).toBe(USER.email)
    expect(added.config).toContain(`Address = ${device.ipv4}`)
    expect(added.config).toContain(`PublicKey = ${SERVER_KEY}`)

    await expectKeyStayedInPage(added.page, added.sent, privateKey!)

    // Closed, the key is gone; the device's page shows the public key and a config without it.
    await added.page.getByRole('dialog').getByRole('button', { name: 'Done' }).click()
    await added.page.getByRole('link', { name }).click()
    await added.page.waitForURL((u) => u.pathname === `/devices/${device.id}`)
    expect(await added.page.getByTestId('device-public-key').textContent()).toBe(device.publicKey)
    const [download] = await Promise.all([
      added.page.waitForEvent('download'),
      added.page.getByRole('button', { name: 'Download config' }).click(),
    ])
    const withoutKey = await readFile((await download.path())!, 'utf8')
    expect(withoutKey).toContain(MISSING_PRIVATE_KEY_NOTE)
    expect(withoutKey).not.toContain(privateKey)
    expect(await added.page.content()).not.toContain(privateKey)
    await added.page.close()
  }

  test('with WebCrypto', async () => {
    const context = await browser.newContext({ acceptDownloads: true })
    try {
      await check(context, 'phone', 'webcrypto')
    } finally {
      await context.close()
    }
  })

  test('without crypto.subtle: the noble fallback', async () => {
    const context = await browser.newContext({ acceptDownloads: true })
    // What a browser offers over plain http: getRandomValues, but no SubtleCrypto.
    await context.addInitScript(() => {
      Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true })
    })
    try {
      await check(context, 'laptop', 'noble')
    } finally {
      await context.close()
    }
  })

  test('what the VPN settings do not allow, the page does not offer', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      page.setDefaultTimeout(15_000)
      await page.goto(`${t.url}/login`)
      await page.fill('input[name="email"]', USER.email)
      await page.fill('input[name="password"]', USER.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((u) => u.pathname === '/devices')
      await page.getByTestId('device-row').first().waitFor()
      const add = page.getByRole('main').getByRole('button', { name: 'Add device' })
      await add.first().waitFor()

      // Users may add devices, but not configure them: no advanced part in the form.
      expect((await admin.patch('/api/v1/settings/vpn', { usersMayConfigureDevices: false })).status).toBe(200)
      await page.reload()
      await add.first().click()
      await page.getByRole('dialog').locator('input[name="name"]').waitFor()
      expect(
        await page
          .getByRole('dialog')
          .getByText(/^Advanced/)
          .count(),
      ).toBe(0)
      await page.keyboard.press('Escape')

      // Nor add or delete them.
      expect((await admin.patch('/api/v1/settings/vpn', { usersMayManageDevices: false })).status).toBe(200)
      await page.reload()
      await page.getByTestId('device-row').first().waitFor()
      expect(await add.count()).toBe(0)
      await page.getByRole('link', { name: 'phone', exact: true }).click()
      await page.getByTestId('device-public-key').waitFor()
      expect(await page.getByRole('button', { name: 'Delete device' }).count()).toBe(0)
      expect(await page.getByRole('button', { name: 'Rotate key' }).count()).toBe(0)
    } finally {
      await admin.patch('/api/v1/settings/vpn', { usersMayManageDevices: true, usersMayConfigureDevices: true })
      await context.close()
    }
  })

  test('rotating the key makes a new pair in the browser and shows the new config once', async () => {
    const before = await deviceNamed('phone')
    const context = await browser.newContext({ acceptDownloads: true })
    try {
      const page = await context.newPage()
      page.setDefaultTimeout(15_000)
      const sent: Request[] = []
      page.on('request', (r) => sent.push(r))
      await page.goto(`${t.url}/login`)
      await page.fill('input[name="email"]', USER.email)
      await page.fill('input[name="password"]', USER.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((u) => u.pathname === '/devices')
      await page.getByRole('link', { name: 'phone', exact: true }).click()
      await page.getByRole('button', { name: 'Rotate key' }).click()
      await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click()

      const ready = page.getByRole('dialog').getByTestId('device-config-ready')
      await ready.waitFor()
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        ready.getByRole('button', { name: /^Download / }).click(),
      ])
      const config = await readFile((await download.path())!, 'utf8')
      const privateKey = /^PrivateKey = (\S+)$/m.exec(config)?.[1]
      expect(privateKey).toBeDefined()

      const after = await deviceNamed('phone')
      expect(after.id).toBe(before.id)
      expect(after.publicKey).not.toBe(before.publicKey)
      expect(await publicKeyOf(privateKey!)).toBe(after.publicKey)
      // Same addresses: the device keeps its place, only its key changed.
      expect(after.ipv4).toBe(before.ipv4)
      expect(sent.some((r) => r.url().endsWith(`/api/v1/devices/${before.id}/rotate-key`))).toBe(true)
      await expectKeyStayedInPage(page, sent, privateKey!)
    } finally {
      await context.close()
    }
  })
})
