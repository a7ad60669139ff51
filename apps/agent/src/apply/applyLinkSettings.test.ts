import { expect, test } from 'vitest'
import { fakeRun } from '../testing/fakeRun.ts'
import { applyLinkSettings } from './applyLinkSettings.ts'

const wg = { name: 'wg0', addresses: ['10.100.0.5/24', 'fd00:100::5/64'], listenPort: null, mtu: 1420, peers: [] }

test('other addresses go first, then missing ones are added, MTU set, link up', async () => {
  const f = fakeRun({
    'ip -j addr show dev wg0': JSON.stringify([
      {
        ifname: 'wg0',
        flags: ['POINTOPOINT', 'NOARP'],
        mtu: 1500,
        addr_info: [
          { family: 'inet', local: '10.100.0.1', prefixlen: 24, scope: 'global' },
          { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
        ],
      },
    ]),
  })
  await applyLinkSettings(f.run, wg)
  expect(f.lines()).toEqual([
    'ip -j addr show dev wg0',
    'ip -4 addr del 10.100.0.1/24 dev wg0',
    'ip -4 addr add 10.100.0.5/24 dev wg0',
    'ip -6 addr add fd00:100::5/64 dev wg0',
    'ip link set dev wg0 mtu 1420',
    'ip link set dev wg0 up',
  ])
})

test('nothing to change: only the read', async () => {
  const f = fakeRun({
    'ip -j addr show dev wg0': JSON.stringify([
      {
        flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'],
        mtu: 1420,
        addr_info: [
          { family: 'inet', local: '10.100.0.5', prefixlen: 24, scope: 'global' },
          { family: 'inet6', local: 'fd00:100::5', prefixlen: 64, scope: 'global' },
        ],
      },
    ]),
  })
  await applyLinkSettings(f.run, wg)
  expect(f.lines()).toEqual(['ip -j addr show dev wg0'])
})

test('output that cannot be read fails naming the command, and changes nothing', async () => {
  for (const output of [
    '{"mtu":1420}',
    '[{"mtu":"1420"}]',
    '[{"addr_info":[{"local":"10.0.0.1","prefixlen":"24"}]}]',
    '',
  ]) {
    const f = fakeRun({ 'ip -j addr show dev wg0': output })
    await expect(applyLinkSettings(f.run, wg)).rejects.toThrow(/^cannot read the output of `ip -j addr show dev wg0`: /)
    expect(f.lines()).toEqual(['ip -j addr show dev wg0'])
  }
})

test('empty entries and unknown fields (as some iproute2 versions print) are fine', async () => {
  const f = fakeRun({
    'ip -j addr show dev wg0': JSON.stringify([
      {},
      {
        ifname: 'wg0',
        flags: ['UP'],
        mtu: 1420,
        future: true,
        addr_info: [
          {},
          { family: 'inet', local: '10.100.0.5', prefixlen: 24, scope: 'global', valid_life_time: 4294967295 },
          { family: 'inet6', local: 'fd00:100::5', prefixlen: 64, scope: 'global' },
        ],
      },
    ]),
  })
  await applyLinkSettings(f.run, wg)
  expect(f.lines()).toEqual(['ip -j addr show dev wg0'])
})
