import { expect, test } from 'vitest'
import { DeviceCookies } from './deviceCookie.ts'

const SECRET = 'a master secret of at least thirty-two characters'

test('a cookie issued for an account verifies for that account only, and only while young', () => {
  let now = 1_700_000_000_000
  const cookies = new DeviceCookies(SECRET, () => now)
  const value = cookies.issue('a@x.io')
  const id = cookies.verify(value, 'a@x.io')
  expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
  expect(cookies.verify(cookies.issue('a@x.io'), 'a@x.io')).not.toBe(id)
  expect(cookies.verify(value, 'b@x.io')).toBeNull()
  now += cookies.maxAgeSeconds * 1000
  expect(cookies.verify(value, 'a@x.io')).toBeNull()
})

test('the cookie does not show the email to whoever reads it', () => {
  const value = new DeviceCookies(SECRET).issue('carol@example.com')
  for (const part of value.split('.')) {
    expect(Buffer.from(part, 'base64url').toString('utf8')).not.toContain('carol')
    expect(part).not.toContain('carol')
  }
})

test('tampered, foreign and malformed cookies are refused', () => {
  const cookies = new DeviceCookies(SECRET)
  const value = cookies.issue('a@x.io')
  const [v, , at, id, mac] = value.split('.')
  const [, bAccount] = cookies.issue('b@x.io').split('.')
  const otherAccount = [v, bAccount, at, id, mac].join('.')
  expect(cookies.verify(otherAccount, 'b@x.io')).toBeNull()
  for (const i of [value.length - 1, value.length - 10]) {
    const flipped = value[i] === 'A' ? 'B' : 'A'
    expect(cookies.verify(value.slice(0, i) + flipped + value.slice(i + 1), 'a@x.io')).toBeNull()
  }
  expect(new DeviceCookies(`${SECRET}!`).verify(value, 'a@x.io')).toBeNull()
  for (const bad of [undefined, '', 'garbage', '.', 'v1.a.b.c.']) expect(cookies.verify(bad, 'a@x.io')).toBeNull()
})
