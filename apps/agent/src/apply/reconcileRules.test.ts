import { expect, test } from 'vitest'
import type { RoutingRule } from '../render/ipRouting.ts'
import { fakeRun } from '../testing/fakeRun.ts'
import { reconcileRules } from './reconcileRules.ts'

const want: RoutingRule[] = [
  { family: 4, priority: 100, table: 'main', suppressPrefixLength: 0 },
  { family: 4, priority: 5000, from: '192.168.78.0/24', table: 51820 },
  { family: 4, priority: 5100, fwmark: 0x5157, table: 51820 },
  { family: 4, priority: 5200, iif: 'lo', ipproto: 'udp', sport: [19132, 19132], table: 51820 },
  { family: 4, priority: 5200, iif: 'lo', ipproto: 'udp', sport: [28015, 28018], table: 51820 },
]

// As `ip -j -4 rule show` prints them (iproute2 6.1), with a foreign rule at our priority 5000
// (another table) and one at a priority of its own.
const applied = JSON.stringify([
  { priority: 0, src: 'all', table: 'local' },
  { priority: 100, src: 'all', table: 'main', suppress_prefixlen: 0 },
  { priority: 1000, src: '10.0.0.0', srclen: 8, table: '77' },
  { priority: 5000, src: '192.168.78.0', srclen: 24, table: '51820' },
  { priority: 5000, src: '172.16.0.0', srclen: 12, table: '200' },
  { priority: 5100, src: 'all', fwmark: '0x5157', table: '51820' },
  { priority: 5200, src: 'all', iif: 'lo', ipproto: 'udp', sport: 19132, table: '51820' },
  { priority: 5200, src: 'all', iif: 'lo', ipproto: 'udp', sport_start: 28015, sport_end: 28018, table: '51820' },
  { priority: 32766, src: 'all', table: 'main' },
  { priority: 32767, src: 'all', table: 'default' },
])

test('an empty host gets every rule', async () => {
  const f = fakeRun({ 'ip -j -4 rule show': JSON.stringify([{ priority: 0, src: 'all', table: 'local' }]) })
  await reconcileRules(f.run, want, [4])
  expect(f.lines()).toEqual([
    'ip -j -4 rule show',
    'ip -4 rule add priority 100 lookup main suppress_prefixlength 0',
    'ip -4 rule add priority 5000 from 192.168.78.0/24 lookup 51820',
    'ip -4 rule add priority 5100 fwmark 0x5157 lookup 51820',
    'ip -4 rule add priority 5200 iif lo ipproto udp sport 19132 lookup 51820',
    'ip -4 rule add priority 5200 iif lo ipproto udp sport 28015-28018 lookup 51820',
  ])
})

test('rules already there: nothing changes, foreign rules are not touched', async () => {
  const f = fakeRun({ 'ip -j -4 rule show': applied, 'ip -j -6 rule show': '[]' })
  await reconcileRules(f.run, want, [4, 6])
  expect(f.lines()).toEqual(['ip -j -4 rule show', 'ip -j -6 rule show'])
})

test('ours that are no longer wanted, and duplicates, are deleted', async () => {
  const f = fakeRun({
    'ip -j -4 rule show': JSON.stringify([
      { priority: 5100, src: 'all', fwmark: '0x5157', table: '51820' },
      { priority: 5100, src: 'all', fwmark: '0x5157', table: '51820' },
      { priority: 5000, src: '192.168.99.0', srclen: 24, table: '51820' },
      { priority: 5000, src: '172.16.0.0', srclen: 12, table: '200' },
      { priority: 100, src: 'all', table: 'main' },
    ]),
  })
  await reconcileRules(f.run, [want[2]!], [4])
  expect(f.lines()).toEqual([
    'ip -j -4 rule show',
    'ip -4 rule del priority 5100 fwmark 0x5157 lookup 51820',
    'ip -4 rule del priority 5000 from 192.168.99.0/24 lookup 51820',
  ])
})

test('teardown removes all of ours and nothing else', async () => {
  const f = fakeRun({ 'ip -j -4 rule show': applied })
  await reconcileRules(f.run, [], [4])
  expect(f.lines()).toEqual([
    'ip -j -4 rule show',
    'ip -4 rule del priority 100 lookup main suppress_prefixlength 0',
    'ip -4 rule del priority 5000 from 192.168.78.0/24 lookup 51820',
    'ip -4 rule del priority 5100 fwmark 0x5157 lookup 51820',
    'ip -4 rule del priority 5200 iif lo ipproto udp sport 19132 lookup 51820',
    'ip -4 rule del priority 5200 iif lo ipproto udp sport 28015-28018 lookup 51820',
  ])
})

test('output that cannot be read fails naming the command, and changes nothing', async () => {
  for (const output of ['{}', '[{"priority":"5100","table":"51820"}]', '[{"priority":5100,"fwmark":20823}]', '[']) {
    const f = fakeRun({ 'ip -j -4 rule show': output })
    await expect(reconcileRules(f.run, want, [4])).rejects.toThrow(/^cannot read the output of `ip -j -4 rule show`: /)
    expect(f.lines()).toEqual(['ip -j -4 rule show'])
  }
})
