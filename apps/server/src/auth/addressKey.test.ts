import { expect, test } from 'vitest'
import { addressKey } from './addressKey.ts'

test('IPv4 stays as it is, mapped IPv4 is IPv4, IPv6 counts by its /64', () => {
  expect(addressKey('198.51.100.7')).toBe('198.51.100.7')
  expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7')
  expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
  expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
  expect(addressKey('fe80::1%eth0')).toBe('fe80::/64')
  expect(addressKey('not an address')).toBe('not an address')
})
