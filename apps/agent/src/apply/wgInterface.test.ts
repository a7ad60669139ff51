import { expect, test } from 'vitest'
import { fakeRun } from '../testing/fakeRun.ts'
import { ensureWgInterface, showLink } from './wgInterface.ts'

test('a kernel WireGuard link is recognised by its kind', async () => {
  const f = fakeRun({
    'ip -j -d link show dev wg0': JSON.stringify([{ ifname: 'wg0', mtu: 1420, linkinfo: { info_kind: 'wireguard' } }]),
    'wg show interfaces': 'wg0\n',
  })
  expect(await ensureWgInterface(f.run, 'wg0', null)).toBe('kernel')
  expect(f.lines()).toEqual(['ip -j -d link show dev wg0', 'wg show interfaces'])
})

test('a missing link reads as null', async () => {
  const f = fakeRun({ 'ip -j -d link show dev wg0': { fail: 'Device "wg0" does not exist.' } })
  expect(await showLink(f.run, 'wg0')).toBeNull()
})

test('output that cannot be read fails naming the command', async () => {
  for (const output of ['{"ifname":"wg0"}', '[{"linkinfo":{"info_kind":3}}]', '[{"linkinfo":"wireguard"}]', 'oops']) {
    const f = fakeRun({ 'ip -j -d link show dev wg0': output })
    await expect(showLink(f.run, 'wg0')).rejects.toThrow(/^cannot read the output of `ip -j -d link show dev wg0`: /)
  }
})
