import { expect, test } from 'vitest'
import { canonicalIp, canonicalPrefixed, covers, formatPrefixed, networkOf, parsePrefixed } from './ipNetworks.ts'

test('canonical text matches what ip and wg print', () => {
  expect(canonicalIp('fd00:0000:0000:0000:0000:0000:0000:0001')).toBe('fd00::1')
  expect(canonicalIp('FD00:0:0:1::')).toBe('fd00:0:0:1::')
  expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
  expect(canonicalIp('::ffff:192.0.2.1')).toBe('::ffff:c000:201')
  expect(canonicalIp('::')).toBe('::')
  expect(canonicalIp('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8')
  expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1')
  expect(canonicalPrefixed('10.0.0.1')).toBe('10.0.0.1/32')
  expect(canonicalPrefixed('fd00:0::2/128')).toBe('fd00::2/128')
  expect(canonicalIp('not-an-ip')).toBe('not-an-ip')
  expect(parsePrefixed('10.0.0.0/33')).toBeNull()
  expect(parsePrefixed('1:2:3:4:5:6:7:8:9')).toBeNull()
  expect(parsePrefixed('1::2::3')).toBeNull()
})

test('networks and covering', () => {
  const p = (t: string) => parsePrefixed(t)!
  expect(formatPrefixed(networkOf(p('10.100.0.1/24')))).toBe('10.100.0.0/24')
  expect(formatPrefixed(networkOf(p('fd00:100::1/64')))).toBe('fd00:100::/64')
  expect(covers(p('10.100.0.1/24'), p('10.100.0.2/32'))).toBe(true)
  expect(covers(p('10.100.0.1/24'), p('192.168.78.0/24'))).toBe(false)
  expect(covers(p('10.100.0.1/24'), p('10.0.0.0/8'))).toBe(false)
  expect(covers(p('fd00:100::1/64'), p('fd00:100::2/128'))).toBe(true)
  expect(covers(p('10.100.0.1/24'), p('fd00:100::2/128'))).toBe(false)
})
