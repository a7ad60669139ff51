/**
 * In real Chromium against a real server: a user changes their own password on the profile page.
 * Every wrong field is told beside it at once (a wrong current password, a repeat that differs);
 * after the change the new password signs in and the old one does not.
 */
import type { User } from '@wirewarp/protocol'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { anonymous, signIn, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { launchChromium, skipBrowser } from './chromium.ts'

const skip = skipBrowser()

const PERSON = { email: 'pat.profile@example.com', password: 'plum tractor 42 lagoon' }
const NEW_PASSWORD = 'quiet harbour 17 lantern'

describe.skipIf(skip)('dashboard: change your own password in Chromium', () => {
  let t: TestServer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    t = await startTestServer()
    const admin = await signIn(t)
    const created = await admin.post<User>('/api/v1/users', { ...PERSON, name: 'Pat', role: 'user' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    browser = await launchChromium()
    page = await browser.newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const signInAs = async (password: string) => {
    await page.goto(`${t.url}/profile`)
    await page.waitForURL(/\/login/)
    await page.fill('input[name="email"]', PERSON.email)
    await page.fill('input[name="password"]', password)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }
  const form = () => page.getByRole('form', { name: 'Change password' })
  const fill = async (current: string, next: string, repeat: string) => {
    await form().locator('input[name="currentPassword"]').fill(current)
    await form().locator('input[name="newPassword"]').fill(next)
    await form().locator('input[name="repeat"]').fill(repeat)
    await form().getByRole('button', { name: 'Change password' }).click()
  }
  const error = (field: string) => page.getByTestId(`error-${field}`)

  test('the profile page has the form', async () => {
    await signInAs(PERSON.password)
    await page.waitForURL(/\/profile/)
    await form().waitFor()
  })

  test('several wrong fields are all told at once, before sending', async () => {
    await fill('', 'short', 'different')
    await expect.poll(() => error('currentPassword').textContent()).toBe('Enter your current password')
    expect(await error('newPassword').textContent()).toBe('Must be at least 12 characters')
    expect(await error('repeat').textContent()).toBe('The two passwords differ')
    expect(await form().locator('input[name="newPassword"]').getAttribute('aria-invalid')).toBe('true')
  })

  test('a repeat that differs is told beside it', async () => {
    await fill(PERSON.password, NEW_PASSWORD, `${NEW_PASSWORD}x`)
    await expect.poll(() => error('repeat').textContent()).toBe('The two passwords differ')
    expect(await error('currentPassword').count()).toBe(0)
    expect(await error('newPassword').count()).toBe(0)
  })

  test('a wrong current password is told beside its field', async () => {
    await fill('not my password at all', NEW_PASSWORD, NEW_PASSWORD)
    await expect.poll(() => error('currentPassword').textContent()).toBe('Not your current password')
    expect(await error('repeat').count()).toBe(0)
    expect(await page.getByText('Password changed').count()).toBe(0)
  })

  test('the right current password changes it, and says what happened to other sessions', async () => {
    // Another session of the same user, signed in elsewhere: it ends with the change.
    const elsewhere = await signIn(t, PERSON.email, PERSON.password)
    expect((await elsewhere.get('/api/v1/auth/me')).status).toBe(200)

    await fill(PERSON.password, NEW_PASSWORD, NEW_PASSWORD)
    await page.getByText('Password changed').waitFor()
    expect(await page.getByRole('status').textContent()).toMatch(/every other session of yours was signed out/)
    expect(await error('currentPassword').count()).toBe(0)
    expect(await form().locator('input[name="currentPassword"]').inputValue()).toBe('')

    expect((await elsewhere.get('/api/v1/auth/me')).status).toBe(401)
    // This tab stays signed in.
    await page.reload()
    await form().waitFor()
  })

  test('after signing out, the new password signs in and the old one does not', async () => {
    await page.getByRole('button', { name: 'Sign out' }).first().click()
    await page.waitForURL(/\/login/)

    const old = await anonymous(t).post('/api/v1/auth/login', PERSON)
    expect(old.status).toBe(401)
    await page.fill('input[name="email"]', PERSON.email)
    await page.fill('input[name="password"]', PERSON.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').waitFor()
    expect(page.url()).toMatch(/\/login/)

    await page.fill('input[name="password"]', NEW_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => !url.pathname.startsWith('/login'))
    await page.goto(`${t.url}/profile`)
    await page.locator('dd', { hasText: PERSON.email }).waitFor()
    await form().waitFor()
  })
})
