import type { VpnState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { renderVpnRule, renderVpnRuleset, userChainName } from './renderVpnRuleset.ts'

const U1 = '0b6f3a52-8c1e-4d7a-9f00-1a2b3c4d5e6f'
const U2 = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const KEY_A = 'cCoE/D1TPIhzqaUOwEgkrYay5ZVIQOrITq80o0105Ec='
const KEY_B = 'zVKfcI8UlcB6ocvTsgufnJus8S3Zc3gdLkkddMG4PBo='

const vpn = (over: Partial<VpnState> = {}): VpnState => ({
  deviceNetworks: ['100.96.0.0/16', 'fd7a:115c:a1e0::/64'],
  defaultPolicy: 'accept',
  devices: [
    { publicKey: KEY_A, presharedKey: null, addresses: ['100.96.3.7/32', 'fd7a:115c:a1e0::7/128'], user: U1 },
    { publicKey: KEY_B, presharedKey: null, addresses: ['100.96.3.8/32'], user: U2 },
  ],
  users: [
    { id: U1, rules: [] },
    { id: U2, rules: [] },
  ],
  ...over,
})

test('no VPN: nothing rendered, so servers without devices keep their table as it was', () => {
  expect(renderVpnRuleset({ deviceNetworks: [], defaultPolicy: 'accept', devices: [], users: [] }, '"wg0"')).toEqual({
    declarations: [],
    forward: [],
  })
})

test('rules: destination family, protocol and ports as nft matches them', () => {
  const r = (rule: Partial<Parameters<typeof renderVpnRule>[0]>) =>
    renderVpnRule({ action: 'accept', destination: '192.168.1.0/24', protocol: null, ports: null, ...rule }, U1)
  expect(r({})).toBe('ip daddr 192.168.1.0/24 accept')
  expect(r({ destination: '192.168.1.7/24', action: 'drop' })).toBe('ip daddr 192.168.1.0/24 drop')
  expect(r({ destination: '192.168.1.7/32', protocol: 'tcp', ports: [22, 80] })).toBe(
    'ip daddr 192.168.1.7 tcp dport 22-80 accept',
  )
  expect(r({ protocol: 'udp', ports: [53, 53] })).toBe('ip daddr 192.168.1.0/24 udp dport 53 accept')
  expect(r({ protocol: 'udp' })).toBe('ip daddr 192.168.1.0/24 meta l4proto udp accept')
  expect(r({ ports: [8000, 8100] })).toBe('ip daddr 192.168.1.0/24 meta l4proto { tcp, udp } th dport 8000-8100 accept')
  expect(r({ destination: 'fd00:0:0:1::/64', protocol: 'tcp', ports: [443, 443] })).toBe(
    'ip6 daddr fd00:0:0:1::/64 tcp dport 443 accept',
  )
  expect(r({ destination: '0.0.0.0/0' })).toBe('meta nfproto ipv4 accept')
  expect(r({ destination: '::/0', action: 'drop' })).toBe('meta nfproto ipv6 drop')
  expect(() => r({ ports: [80, 22] })).toThrow(`user ${U1}: the port range 80-22 is reversed`)
  expect(() => r({ destination: '192.168.1.0/24" accept; flush ruleset' })).toThrow(/is not an IP network/)
})

test('each user a chain with the rules in order, ending in the default policy', () => {
  const { declarations } = renderVpnRuleset(
    vpn({
      defaultPolicy: 'drop',
      users: [
        {
          id: U1,
          rules: [
            { action: 'drop', destination: '192.168.1.1/32', protocol: null, ports: null },
            { action: 'accept', destination: '192.168.1.0/24', protocol: null, ports: null },
          ],
        },
        { id: U2, rules: [] },
      ],
    }),
    '"wg0"',
  )
  const text = declarations.join('\n')
  expect(text).toContain(
    `  chain u_0b6f3a528c1e4d7a9f001a2b3c4d5e6f {\n    ip daddr 192.168.1.1 drop\n    ip daddr 192.168.1.0/24 accept\n    drop\n  }`,
  )
  expect(text).toContain('  chain u_7c9e6679742540de944be07fc1f90ae7 {\n    drop\n  }')
  expect(text).toContain(
    '    elements = {\n      100.96.3.7 : jump u_0b6f3a528c1e4d7a9f001a2b3c4d5e6f,\n      100.96.3.8 : jump u_7c9e6679742540de944be07fc1f90ae7\n    }',
  )
  expect(text).toContain('    elements = {\n      fd7a:115c:a1e0::7 : jump u_0b6f3a528c1e4d7a9f001a2b3c4d5e6f\n    }')
})

test('the forward rules: replies to devices first, then the users, then unknown addresses dropped', () => {
  expect(renderVpnRuleset(vpn(), '"wg0"').forward).toEqual([
    '    iifname "wg0" ip saddr @device_net4 ct direction reply accept',
    '    iifname "wg0" ip6 saddr @device_net6 ct direction reply accept',
    '    iifname "wg0" ip saddr @device_net4 ip saddr vmap @device_users4',
    '    iifname "wg0" ip6 saddr @device_net6 ip6 saddr vmap @device_users6',
    '    iifname "wg0" ip saddr @device_net4 drop',
    '    iifname "wg0" ip6 saddr @device_net6 drop',
  ])
})

test('a device whose user is missing from the state fails closed', () => {
  const text = renderVpnRuleset(vpn({ users: [{ id: U1, rules: [] }] }), '"wg0"').declarations.join('\n')
  expect(text).toContain('100.96.3.8 : drop')
})

test('states that cannot be enforced are refused, naming what is wrong', () => {
  const [a, b] = vpn().devices as [VpnState['devices'][0], VpnState['devices'][0]]
  expect(() => renderVpnRuleset(vpn({ devices: [a, { ...b, addresses: ['10.0.0.8/32'] }] }), '"wg0"')).toThrow(
    `device ${KEY_B}: 10.0.0.8/32 is outside the device networks`,
  )
  expect(() => renderVpnRuleset(vpn({ devices: [a, { ...b, addresses: ['100.96.3.7/32'] }] }), '"wg0"')).toThrow(
    `devices ${KEY_A} and ${KEY_B} both use 100.96.3.7`,
  )
  expect(() => renderVpnRuleset(vpn({ devices: [a, { ...b, addresses: ['100.96.3.0/24'] }] }), '"wg0"')).toThrow(
    /is not a single address/,
  )
  expect(() =>
    renderVpnRuleset(
      vpn({
        users: [
          { id: U1, rules: [] },
          { id: U1, rules: [] },
        ],
      }),
      '"wg0"',
    ),
  ).toThrow(`user ${U1} is listed twice`)
  expect(() => userChainName('x; flush ruleset')).toThrow(/is not a user id/)
})
