/**
 * In real Chromium at a phone's size (390×844), with every table populated: each page in the
 * navigation (read from the menu, so a new item is covered by itself), an agent's page and both
 * tunnel pages fit the width (the page never scrolls sideways) and show their primary action inside
 * the viewport. The menu opens and closes as a menu should; at 1280 wide the sidebar is back.
 * Screenshots land in /tmp/phone-*.png for a look.
 */
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
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

const PHONE = { width: 390, height: 844 }

/**
 * The button (or link) each page is for; a page not listed (audit log, overview) has none and only
 * has to fit. A path in the navigation that is missing here fails the test, so a new page gets one.
 */
const primaryActions: Record<string, readonly string[]> = {
  '/overview': [],
  '/agents': ['Add agent'],
  '/tunnel-servers': [],
  '/port-forwards': ['New forward', 'From template'],
  '/service-templates': ['New template'],
  '/users': ['New user'],
  '/api-tokens': ['New token'],
  '/audit-log': [],
  '/devices': ['Add device'],
  '/admin/devices': ['Add device'],
  '/rules': ['New rule'],
  '/settings/vpn': ['Save'],
}

const LONG = 'Minecraft server for the whole family, with the survival world and the creative build server behind it'

describe.skipIf(skip)('dashboard: every page fits a 390 px phone', () => {
  let t: TestServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>

  beforeAll(async () => {
    t = await startTestServer()
    tunnel = await seedTunnel(t.db, { server: 'vps-frankfurt-hetzner-cx22', client: 'homelab-basement-proxmox' })
    const api = await signIn(t)
    await seed(api, tunnel)
    browser = await launchChromium()
    context = await browser.newContext({ viewport: PHONE })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  /**
   * Fails when the page is wider than the window, naming the elements that stick out past its right
   * edge and are not clipped by a box of their own (an absolutely positioned element is clipped only
   * by a box at or above its containing block: an sr-only header inside a scrolling table is not).
   */
  async function expectFitsWidth(label: string) {
    const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
      const out: string[] = []
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        const r = el.getBoundingClientRect()
        if (r.width === 0 || r.right <= window.innerWidth + 0.5) continue
        const position = getComputedStyle(el).position
        let clipped = false
        // Until its containing block, an absolutely positioned element ignores the boxes around it.
        let beforeContainingBlock = position === 'absolute'
        if (position !== 'fixed') {
          for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const style = getComputedStyle(p)
            if (beforeContainingBlock && style.position === 'static') continue
            beforeContainingBlock = false
            if (style.overflowX !== 'visible') {
              clipped = true
              break
            }
          }
        }
        if (!clipped)
          out.push(
            `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}"> right=${Math.round(r.right)}`,
          )
      }
      return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        culprits: out.slice(0, 10),
      }
    })
    expect(
      scrollWidth,
      `${label}: the page is ${scrollWidth}px wide; sticking out:\n${culprits.join('\n')}`,
    ).toBeLessThanOrEqual(innerWidth)
  }

  async function expectVisibleAction(label: string, name: string) {
    const action = page
      .getByRole('main')
      .getByRole('button', { name, exact: true })
      .or(page.getByRole('main').getByRole('link', { name, exact: true }))
      .first()
    await action.waitFor()
    await action.scrollIntoViewIfNeeded()
    const box = await action.boundingBox()
    expect(box, `${label}: "${name}" has no box`).not.toBeNull()
    expect(box!.x, `${label}: "${name}" starts off-screen`).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width, `${label}: "${name}" ends past the right edge`).toBeLessThanOrEqual(PHONE.width)
    expect(box!.y, `${label}: "${name}" is above the viewport`).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height, `${label}: "${name}" is below the viewport`).toBeLessThanOrEqual(PHONE.height)
  }

  async function check(label: string, actions: readonly string[]) {
    await page.getByRole('heading', { level: 1 }).first().waitFor()
    // Let the queries settle, so the tables are there.
    await page.waitForLoadState('networkidle')
    await page.waitForTimeout(200)
    await expectFitsWidth(label)
    for (const name of actions) await expectVisibleAction(label, name)
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: `/tmp/phone-${label}.png`, fullPage: true })
    // The same with every table scrolled to its end, to see the columns a phone hides at first.
    const scrolled = await page.evaluate(() => {
      const boxes = Array.from(document.querySelectorAll('main table')).map((t) => t.parentElement!)
      for (const box of boxes) box.scrollLeft = box.scrollWidth
      return boxes.length
    })
    if (scrolled > 0) {
      await page.screenshot({ path: `/tmp/phone-${label}-scrolled.png`, fullPage: true })
      await page.evaluate(() => {
        for (const t of Array.from(document.querySelectorAll('main table'))) t.parentElement!.scrollLeft = 0
      })
    }
  }

  const menuButton = () => page.getByRole('button', { name: 'Menu' })
  const mainNav = () => page.getByRole('navigation', { name: 'Main' })

  test('sign in; the menu opens, closes on Escape and on navigation', async () => {
    await page.goto(`${t.url}/login`)
    await page.locator('input[name="email"]').waitFor()
    await expectFitsWidth('login')
    await page.fill('input[name="email"]', ADMIN.email)
    await page.fill('input[name="password"]', ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))

    // Closed: the links are not shown, the button says so and names what it opens.
    const button = menuButton()
    await button.waitFor()
    expect(await page.getByRole('button', { name: /^Theme:/ }).count()).toBe(1)
    expect(await button.getAttribute('aria-expanded')).toBe('false')
    const controls = await button.getAttribute('aria-controls')
    expect(controls).toBeTruthy()
    const menu = page.locator(`[id="${controls}"]`)
    expect(await menu.getAttribute('aria-label')).toBe('Main')
    expect(await menu.isVisible()).toBe(false)

    await button.click()
    expect(await button.getAttribute('aria-expanded')).toBe('true')
    await mainNav().waitFor()
    // Every link is inside the screen, one under the other, and so is "Sign out".
    const links = mainNav().getByRole('link')
    const count = await links.count()
    expect(count).toBeGreaterThanOrEqual(7)
    let lastY = -1
    for (let i = 0; i < count; i++) {
      const box = (await links.nth(i).boundingBox())!
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
      expect(box.y).toBeGreaterThan(lastY)
      lastY = box.y
    }
    const signOut = mainNav().getByRole('button', { name: 'Sign out' })
    const signOutBox = (await signOut.boundingBox())!
    expect(signOutBox.x + signOutBox.width).toBeLessThanOrEqual(PHONE.width)
    await expectFitsWidth('menu-open')
    await page.screenshot({ path: '/tmp/phone-menu.png' })

    await page.keyboard.press('Escape')
    expect(await button.getAttribute('aria-expanded')).toBe('false')
    expect(await menu.isVisible()).toBe(false)
    // Focus goes back to the button that opened it.
    expect(await button.evaluate((b) => b === document.activeElement)).toBe(true)

    await button.click()
    await mainNav().getByRole('link', { name: 'Users' }).click()
    await page.waitForURL(/\/users$/)
    expect(await button.getAttribute('aria-expanded')).toBe('false')
    expect(await menu.isVisible()).toBe(false)
  })

  test('every page in the navigation fits, with its primary action on screen', async () => {
    await menuButton().click()
    const hrefs = await mainNav()
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
    await page.keyboard.press('Escape')
    // The profile link sits in the menu too; its page has no primary action.
    const pages = hrefs.filter((h) => h !== '/profile')
    expect(pages[0]).toBe('/overview')
    expect(pages).toEqual(expect.arrayContaining(['/agents', '/port-forwards', '/users', '/api-tokens', '/audit-log']))

    for (const path of [...pages, '/profile']) {
      const actions = path === '/profile' ? [] : primaryActions[path]
      expect(actions, `no primary action listed for ${path}: add it to primaryActions`).toBeDefined()
      // Through the menu, as a person on a phone would.
      await menuButton().click()
      await mainNav().locator(`a[href="${path}"]`).first().click()
      await page.waitForURL((u) => u.pathname === path)
      await check(path.slice(1), actions!)
    }
  })

  test('an agent, a tunnel server and a tunnel client fit, with their actions on screen', async () => {
    await page.goto(`${t.url}/agents/${tunnel.serverAgent.id}`)
    await check('agent', ['Ping', 'Delete agent'])
    await page.goto(`${t.url}/tunnel-servers/${tunnel.server.id}`)
    await check('tunnel-server', ['Port forwards', 'Save'])
    await page.goto(`${t.url}/tunnel-clients/${tunnel.client.id}`)
    await check('tunnel-client', ['Save'])
  })

  test('the dialogs behind the primary actions fit too', async () => {
    await page.goto(`${t.url}/port-forwards`)
    await page.getByRole('button', { name: 'New forward' }).click()
    await page.getByRole('dialog').waitFor()
    await expectFitsWidth('new-forward-dialog')
    const save = page.getByRole('dialog').getByRole('button', { name: 'Save' })
    await save.scrollIntoViewIfNeeded()
    const box = (await save.boundingBox())!
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
    await page.screenshot({ path: '/tmp/phone-new-forward.png' })
    await page.keyboard.press('Escape')
  })

  test('at 1280 wide the sidebar shows the links and there is no menu button', async () => {
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(`${t.url}/port-forwards`)
    await mainNav().waitFor()
    expect(await menuButton().isVisible()).toBe(false)
    const agents = mainNav().getByRole('link', { name: 'Agents' })
    expect(await agents.isVisible()).toBe(true)
    const box = (await agents.boundingBox())!
    // A sidebar: left column, links below each other.
    expect(box.x).toBeLessThan(240)
    const forwards = (await mainNav().getByRole('link', { name: 'Port forwards' }).boundingBox())!
    expect(forwards.y).toBeGreaterThan(box.y)
    expect(await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true)
    // One theme button, in the header (the top bar's went away with the top bar).
    expect(await page.getByRole('button', { name: /^Theme:/ }).count()).toBe(1)
    expect(
      await page
        .getByRole('banner')
        .getByRole('button', { name: /^Theme:/ })
        .isVisible(),
    ).toBe(true)
    await expectFitsWidth('desktop')
    await page.screenshot({ path: '/tmp/phone-desktop-1280.png' })
    await context.close()
  })
})

/** Realistic data, through the API as a person would create it, so every table has rows. */
async function seed(api: Client, tunnel: Awaited<ReturnType<typeof seedTunnel>>) {
  const ok = async (what: string, reply: Promise<{ status: number; body: unknown }>) => {
    const r = await reply
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const forwards = [
    { protocol: 'tcp', publicPort: 25565, destinationIp: '192.168.178.120', destinationPort: 25565, description: LONG },
    {
      protocol: 'udp',
      publicPort: 27015,
      publicPortEnd: 27030,
      destinationIp: '192.168.178.121',
      destinationPort: 27015,
      description: 'Steam dedicated server range (game traffic, query port and RCON)',
    },
    {
      protocol: 'tcp',
      publicPort: 8443,
      destinationIp: '192.168.178.2',
      destinationPort: 443,
      description: 'Home Assistant behind the reverse proxy',
      preserveClientIp: true,
    },
    { protocol: 'both', publicPort: 51900, destinationIp: '192.168.178.3', destinationPort: 51900, enabled: false },
  ]
  for (const f of forwards) {
    await ok(
      'forward',
      api.post('/api/v1/port-forwards', {
        tunnelServerId: tunnel.server.id,
        tunnelClientId: tunnel.client.id,
        ...f,
      }),
    )
  }
  await ok(
    'template',
    api.post('/api/v1/service-templates', {
      name: 'Valheim dedicated server with mods',
      description: 'The game port range and the Steam query port that a modded Valheim world needs to be found',
      ports: [
        { protocol: 'udp', port: 2456, portEnd: 2458 },
        { protocol: 'tcp', port: 2459 },
      ],
    }),
  )
  await ok(
    'user',
    api.post('/api/v1/users', {
      email: 'alexandra.konstantinopoulou@family-homelab.example.org',
      name: 'Alexandra Konstantinopoulou',
      password: 'a long enough password',
      role: 'user',
    }),
  )
  await ok(
    'token',
    api.post('/api/v1/api-tokens', { name: 'Home Assistant automation for backups', expiresInDays: 90 }),
  )
  await ok(
    'registration token',
    api.post('/api/v1/registration-tokens', {
      kind: 'client',
      name: 'raspberry-pi-garage',
      tunnelServerId: tunnel.server.id,
    }),
  )
}
