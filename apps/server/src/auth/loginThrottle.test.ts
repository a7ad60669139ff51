import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { type Db, openDatabase } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { deleteExpiredThrottleKeys } from '../store/throttle.ts'
import { type LoginAttempt, LoginThrottle } from './loginThrottle.ts'

// A real SQLite database and a clock the test moves: the same code paths as the server, no waiting.
let dir: string
let db: Db
let now: number
let throttle: LoginThrottle

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-throttle-'))
  db = openDatabase({ dataDir: dir }).db
  await migrate(db, 'sqlite')
  throttle = new LoginThrottle(db, undefined, () => now)
})
afterAll(async () => {
  await db.destroy()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(async () => {
  await db.deleteFrom('throttle').execute()
  now = 1_700_000_000_000
})

const from = (ip: string, email = 'a@x.io', deviceId: string | null = null): LoginAttempt => ({ ip, email, deviceId })

/** One attempt checked and failed; the wait in seconds when it was refused instead, else 0. */
async function fail(a: LoginAttempt): Promise<number> {
  const d = await throttle.claim(a)
  if (!d.allowed) return d.retryAfterSeconds
  await throttle.settle(d.ticket, false)
  return 0
}

async function succeed(a: LoginAttempt): Promise<number> {
  const d = await throttle.claim(a)
  if (!d.allowed) return d.retryAfterSeconds
  await throttle.settle(d.ticket, true)
  return 0
}

test('five free failures per address and account, then waits of 2 s, 4 s, 8 s … capped at 15 min', async () => {
  for (let i = 0; i < 5; i++) expect(await fail(from('198.51.100.1'))).toBe(0)
  const waits: number[] = []
  for (let i = 0; i < 12; i++) {
    const wait = await fail(from('198.51.100.1'))
    waits.push(wait)
    // A refused attempt changes nothing: the wait only runs down.
    now += 1000
    expect(await fail(from('198.51.100.1'))).toBe(Math.max(1, wait - 1))
    now += wait * 1000 - 1000
    expect(await fail(from('198.51.100.1'))).toBe(0)
  }
  expect(waits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900])
  // The right password waits too: a refused attempt is not checked.
  expect(await succeed(from('198.51.100.1'))).toBe(900)
})

test('a stranger’s failures do not lock the owner out from another address', async () => {
  for (let i = 0; i < 8; i++) await fail(from('203.0.113.66'))
  expect(await fail(from('203.0.113.66'))).toBeGreaterThan(0)
  expect(await succeed(from('198.51.100.1'))).toBe(0)
})

test('parallel attempts on one key: exactly the free allowance is claimed', async () => {
  const decisions = await Promise.all(Array.from({ length: 40 }, () => throttle.claim(from('198.51.100.1'))))
  expect(decisions.filter((d) => d.allowed)).toHaveLength(5)
})

test('a success forgets its address + account failures and gives back its claim on the address', async () => {
  for (let i = 0; i < 4; i++) await fail(from('198.51.100.1'))
  expect(await succeed(from('198.51.100.1'))).toBe(0)
  for (let i = 0; i < 5; i++) expect(await fail(from('198.51.100.1'))).toBe(0)
  expect(await fail(from('198.51.100.1'))).toBeGreaterThan(0)

  // The address has 9 failures; 100 successes later it still has 9, so 11 more are free.
  for (let i = 0; i < 100; i++) expect(await succeed(from('198.51.100.1', 'b@x.io'))).toBe(0)
  for (let i = 0; i < 11; i++) expect(await fail(from('198.51.100.1', `u${i}@x.io`))).toBe(0)
  expect(await fail(from('198.51.100.1', 'fresh@x.io'))).toBe(2)
})

test('one address guessing many accounts is held by the per-address limit; others are not', async () => {
  for (let i = 0; i < 20; i++) expect(await fail(from('203.0.113.9', `user${i}@x.io`))).toBe(0)
  expect(await fail(from('203.0.113.9', 'fresh@x.io'))).toBe(2)
  expect(await succeed(from('203.0.113.10', 'fresh@x.io'))).toBe(0)
})

test('IPv6 addresses of one /64 share their keys', async () => {
  for (let i = 0; i < 5; i++) expect(await fail(from(`2001:db8:1:2::${i + 1}`))).toBe(0)
  expect(await fail(from('2001:db8:1:2::99'))).toBe(2)
  expect(await fail(from('2001:db8:1:3::1'))).toBe(0)
})

test('one address, however patient, never trips the account', async () => {
  // Every attempt waits out the 15 min cap, so all 60 are checked; only the first 5 reach the account.
  for (let i = 0; i < 60; i++) {
    now += 16 * 60_000
    expect(await fail(from('203.0.113.1'))).toBe(0)
  }
  expect(await succeed(from('198.51.100.1'))).toBe(0)
})

test('guessing from many addresses trips the account; then only known devices get in', async () => {
  for (let a = 1; a <= 5; a++) for (let i = 0; i < 5; i++) expect(await fail(from(`203.0.113.${a}`))).toBe(0)
  // 5·5 = 25 failures free at their address: the next stranger waits, wherever they are.
  expect(await succeed(from('198.51.100.2'))).toBe(2)
  expect(await fail(from('203.0.113.6'))).toBe(2)

  // A browser that signed in before has its own allowance instead.
  expect(await succeed(from('198.51.100.3', 'a@x.io', 'device-1'))).toBe(0)
  for (let i = 0; i < 5; i++) expect(await fail(from(`192.0.2.${i}`, 'a@x.io', 'device-1'))).toBe(0)
  expect(await fail(from('192.0.2.99', 'a@x.io', 'device-1'))).toBe(2)
  expect(await succeed(from('192.0.2.99', 'a@x.io', 'device-2'))).toBe(0)

  // The account's back-off doubles with each stranger's checked failure.
  now += 2000
  expect(await fail(from('203.0.113.7'))).toBe(0)
  expect(await fail(from('203.0.113.8'))).toBe(4)
})

test('a key without a failure for an hour is forgiven, and the sweep deletes it', async () => {
  for (let i = 0; i < 8; i++) await fail(from('198.51.100.1'))
  expect(await fail(from('198.51.100.1'))).toBeGreaterThan(0)
  now += 3600_000
  expect(await deleteExpiredThrottleKeys(db, now - 1)).toBe(0)
  expect(await deleteExpiredThrottleKeys(db, now)).toBe(3)
  for (let i = 0; i < 5; i++) expect(await fail(from('198.51.100.1'))).toBe(0)
  expect(await fail(from('198.51.100.1'))).toBe(2)

  // Forgiven keys count from zero even before the sweep has run.
  now += 3600_000
  for (let i = 0; i < 5; i++) expect(await fail(from('198.51.100.1'))).toBe(0)
})
