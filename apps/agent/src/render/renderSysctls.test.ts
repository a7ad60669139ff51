import { ClientState, ServerState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { clientState, serverState } from '../testing/sampleStates.ts'
import { renderSysctls } from './renderSysctls.ts'

test('server: forwarding, IPv6 too with an IPv6 tunnel address', () => {
  const s = ServerState.parse(serverState(1))
  expect(renderSysctls(s)).toEqual([{ key: 'net/ipv4/ip_forward', value: '1' }])
  s.wireguard.addresses.push('fd00:99::1/64')
  expect(renderSysctls(s).map((x) => x.key)).toEqual(['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding'])
})

test('client: forwarding, loose reverse-path filter, src_valid_mark; detached: nothing', () => {
  const c = ClientState.parse(clientState(1))
  expect(renderSysctls(c)).toEqual([])
  c.wireguard = { name: 'wg9', addresses: ['10.99.0.2/24'], listenPort: null, mtu: 1420, peers: [] }
  expect(renderSysctls(c)).toEqual([
    { key: 'net/ipv4/ip_forward', value: '1' },
    { key: 'net/ipv4/conf/all/rp_filter', value: '2' },
    { key: 'net/ipv4/conf/wg9/rp_filter', value: '2' },
    { key: 'net/ipv4/conf/all/src_valid_mark', value: '1' },
  ])
})

test('IPv6 device networks turn on IPv6 forwarding, on the server and on sites', () => {
  const s = ServerState.parse(serverState(1))
  s.vpn.deviceNetworks = ['100.96.0.0/16']
  expect(renderSysctls(s).map((x) => x.key)).toEqual(['net/ipv4/ip_forward'])
  s.vpn.deviceNetworks.push('fd7a:115c:a1e0::/64')
  expect(renderSysctls(s).map((x) => x.key)).toEqual(['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding'])
  const c = ClientState.parse(clientState(1))
  c.wireguard = { name: 'wg9', addresses: ['10.99.0.2/24'], listenPort: null, mtu: 1420, peers: [] }
  c.deviceNetworks = ['fd7a:115c:a1e0::/64']
  expect(renderSysctls(c).map((x) => x.key)).toEqual([
    'net/ipv4/ip_forward',
    'net/ipv6/conf/all/forwarding',
    'net/ipv4/conf/all/rp_filter',
    'net/ipv4/conf/wg9/rp_filter',
    'net/ipv4/conf/all/src_valid_mark',
  ])
})
