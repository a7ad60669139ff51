import type { DeviceState, ServerState, VpnRuleState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { serverState } from '../testing/sampleStates.ts'
import { planVpnDelta, vpnOnlyChange } from './planVpnDelta.ts'

const U1 = '0b6f3a52-8c1e-4d7a-9f00-1a2b3c4d5e6f'
const U2 = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const K1 = 'cCoE/D1TPIhzqaUOwEgkrYay5ZVIQOrITq80o0105Ec='
const K2 = 'Z6xSB/8l1YK6WfiVNn+0UTb62tBxizki1F/rR5b8Gm8='
const PSK = 'L5Nvd6EjK1mA3Gp0/cDnq1XkXtM1mVwVqW0W7ZzJf0s='
const dev = (publicKey: string, n: number, user: string, presharedKey: string | null = null): DeviceState => ({
  publicKey,
  presharedKey,
  addresses: [`100.96.3.${n}/32`],
  user,
})

function vpn(devices: DeviceState[], users: ServerState['vpn']['users'], revision = 2): ServerState {
  const s = serverState(revision)
  return {
    ...s,
    wireguard: { ...s.wireguard, addresses: [...s.wireguard.addresses, '100.96.0.1/16'] },
    vpn: { deviceNetworks: ['100.96.0.0/16'], defaultPolicy: 'drop', devices, users },
  }
}
const rule: VpnRuleState = { action: 'accept', destination: '192.168.1.0/24', protocol: 'tcp', ports: [22, 22] }

test('only devices and users changed: a delta; anything else, or nothing, the whole way', () => {
  const a = vpn([dev(K1, 7, U1)], [{ id: U1, rules: [] }])
  const b = vpn(
    [dev(K1, 7, U1), dev(K2, 8, U2)],
    [
      { id: U1, rules: [] },
      { id: U2, rules: [] },
    ],
    3,
  )
  expect(vpnOnlyChange(a, b)).toBe(true)
  expect(vpnOnlyChange(a, { ...a, revision: 3 })).toBe(false)
  expect(vpnOnlyChange(a, { ...b, vpn: { ...b.vpn, defaultPolicy: 'accept' } })).toBe(false)
  expect(vpnOnlyChange(a, { ...b, forwards: [] })).toBe(a.forwards.length === 0)
  expect(vpnOnlyChange(null, b)).toBe(false)
})

test('a device and its user added: the chain before the element, one wg set', () => {
  const a = vpn([dev(K1, 7, U1)], [{ id: U1, rules: [] }])
  const b = vpn(
    [dev(K1, 7, U1), dev(K2, 8, U2, PSK)],
    [
      { id: U1, rules: [] },
      { id: U2, rules: [rule] },
    ],
  )
  const d = planVpnDelta(a, b, '/keys')
  expect(d.nft.trim().split('\n')).toEqual([
    'add chain inet wirewarp u_7c9e6679742540de944be07fc1f90ae7',
    'add rule inet wirewarp u_7c9e6679742540de944be07fc1f90ae7 ip daddr 192.168.1.0/24 tcp dport 22 accept',
    'add rule inet wirewarp u_7c9e6679742540de944be07fc1f90ae7 drop',
    'add element inet wirewarp device_users4 { 100.96.3.8 : jump u_7c9e6679742540de944be07fc1f90ae7 }',
  ])
  expect(d.wg).toEqual([
    'wg',
    'set',
    'wg0',
    'peer',
    K2,
    'allowed-ips',
    '100.96.3.8/32',
    'preshared-key',
    '/keys/0.psk',
    'persistent-keepalive',
    'off',
  ])
  expect(d.keyFiles).toEqual([{ path: '/keys/0.psk', key: PSK }])
  expect(d.wg.join(' ')).not.toContain(PSK)
})

test('a device and its user removed: the element before the chain; a rule change flushes one chain', () => {
  const a = vpn(
    [dev(K1, 7, U1), dev(K2, 8, U2)],
    [
      { id: U1, rules: [] },
      { id: U2, rules: [] },
    ],
  )
  const b = vpn([dev(K1, 7, U1)], [{ id: U1, rules: [rule] }])
  const d = planVpnDelta(a, b, '/keys')
  expect(d.nft.trim().split('\n')).toEqual([
    'delete element inet wirewarp device_users4 { 100.96.3.8 }',
    'flush chain inet wirewarp u_0b6f3a528c1e4d7a9f001a2b3c4d5e6f',
    'add rule inet wirewarp u_0b6f3a528c1e4d7a9f001a2b3c4d5e6f ip daddr 192.168.1.0/24 tcp dport 22 accept',
    'add rule inet wirewarp u_0b6f3a528c1e4d7a9f001a2b3c4d5e6f drop',
    'delete chain inet wirewarp u_7c9e6679742540de944be07fc1f90ae7',
  ])
  expect(d.wg).toEqual(['wg', 'set', 'wg0', 'peer', K2, 'remove'])
})

test('a delta is checked like a whole state: an address used twice or outside the networks is refused', () => {
  const a = vpn([dev(K1, 7, U1)], [{ id: U1, rules: [] }])
  expect(() => planVpnDelta(a, vpn([dev(K1, 7, U1), dev(K2, 7, U1)], [{ id: U1, rules: [] }]), '/k')).toThrow(
    /both use/,
  )
  const outside = { ...dev(K2, 8, U1), addresses: ['10.9.0.8/32'] }
  expect(() => planVpnDelta(a, vpn([dev(K1, 7, U1), outside], [{ id: U1, rules: [] }]), '/k')).toThrow(
    /outside the device networks/,
  )
})
