/**
 * Launches Debian's Chromium through playwright-core (never a downloaded browser). Without
 * Chromium the browser tests skip on a developer machine and fail under CI=true.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function skipBrowser(): boolean {
  if (existsSync(CHROMIUM)) return false
  if (process.env.CI) throw new Error(`Chromium is not installed at ${CHROMIUM}, and CI=true: cannot skip`)
  return true
}

// playwright-core gives each launch a fresh, empty profile directory of its own.
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
