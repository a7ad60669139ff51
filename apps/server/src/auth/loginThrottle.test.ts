import { expect, test } from 'vitest'
import { LoginThrottle } from './loginThrottle.ts'

const limits = { windowMs: 60_000, perIp: 5, perAccount: 3 }

test('an account is locked after its limit and unlocked when the window passes', () => {
  let now = 1_000_000
  const t = new LoginThrottle(limits, () => now)
  for (let i = 0; i < 3; i++) {
    expect(t.retryAfter('198.51.100.1', 'a@x.io')).toBe(0)
    t.recordFailure('198.51.100.1', 'a@x.io')
    now += 1000
  }
  // The first failure was 3 s ago; it leaves the 60 s window in 57 s.
  expect(t.retryAfter('198.51.100.2', 'a@x.io')).toBe(57)
  now += 57_000
  expect(t.retryAfter('198.51.100.2', 'a@x.io')).toBe(0)
})

test('one IP guessing many accounts is locked by the per-IP limit', () => {
  const now = 0
  const t = new LoginThrottle(limits, () => now)
  for (let i = 0; i < 5; i++) t.recordFailure('203.0.113.9', `user${i}@x.io`)
  expect(t.retryAfter('203.0.113.9', 'fresh@x.io')).toBeGreaterThan(0)
  expect(t.retryAfter('203.0.113.10', 'fresh@x.io')).toBe(0)
})

test('a success clears the account count but not the IP count', () => {
  const t = new LoginThrottle(limits, () => 0)
  for (let i = 0; i < 2; i++) t.recordFailure('192.0.2.1', 'b@x.io')
  t.recordSuccess('b@x.io')
  t.recordFailure('192.0.2.1', 'b@x.io')
  expect(t.retryAfter('192.0.2.7', 'b@x.io')).toBe(0)
})
