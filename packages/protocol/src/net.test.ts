import { describe, expect, test } from 'vitest'
import { Cidr4, cidrContains, IpAddress, ipFamily, parseCidr } from './net.ts'

describe('ipFamily', () => {
  test.each([
    ['203.0.113.10', 4],
    ['2001:db8::1', 6],
    ['::ffff:192.0.2.1', 6],
    ['10.1', null],
    ['0x7f.0.0.1', null],
    ['256.1.1.1', null],
    ['1.2.3.4 ', null],
    ['fe80::1%eth0', null],
    ['example.com', null],
    ['', null],
  ])('%s → %s', (input, family) => {
    expect(ipFamily(input)).toBe(family)
  })
})

describe('parseCidr', () => {
  test('accepts networks without host bits', () => {
    expect(parseCidr('10.99.0.0/24')).toEqual({ family: 4, address: '10.99.0.0', prefix: 24 })
    expect(parseCidr('fd00:99::/64')).toEqual({ family: 6, address: 'fd00:99::', prefix: 64 })
    expect(parseCidr('0.0.0.0/0')).toEqual({ family: 4, address: '0.0.0.0', prefix: 0 })
  })
  test.each([
    '10.99.0.1/24',
    '10.0.0.0/33',
    '10.0.0.0',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    'fd00::1/64',
    'fd00::/129',
    'x/8',
  ])('refuses %s', (input) => {
    expect(parseCidr(input)).toBeNull()
  })
  test('zod types say what is wrong', () => {
    const r = Cidr4.safeParse('10.99.0.1/24')
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toMatch(/no host bits/)
    expect(IpAddress.safeParse('1.2.3.4; rm -rf /').success).toBe(false)
  })
})

test('cidrContains', () => {
  expect(cidrContains('192.168.50.0/24', '192.168.50.10')).toBe(true)
  expect(cidrContains('192.168.50.0/24', '192.168.51.10')).toBe(false)
  expect(cidrContains('fd00::/8', '192.168.50.10')).toBe(false)
  expect(cidrContains('fd00::/8', 'fd12::1')).toBe(true)
})
