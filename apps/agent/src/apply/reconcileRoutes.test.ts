import { expect, test } from 'vitest'
import { fakeRun } from '../testing/fakeRun.ts'
import { reconcileRoutes } from './reconcileRoutes.ts'

test('adds missing routes, deletes ours no longer wanted, first deletes then adds', async () => {
  const f = fakeRun({
    'ip -j -4 route show table main proto 87': JSON.stringify([
      { dst: '192.168.78.0/24', dev: 'wg0', scope: 'link', flags: [] },
      { dst: '192.168.99.5', dev: 'wg0', scope: 'link', flags: [] },
    ]),
    'ip -j -6 route show table main proto 87': '[]',
  })
  await reconcileRoutes(
    f.run,
    [
      { family: 4, dst: '192.168.78.0/24', dev: 'wg0', table: 'main' },
      { family: 6, dst: 'fd00:78::/64', dev: 'wg0', table: 'main' },
    ],
    { table: 'main', families: [4, 6] },
  )
  expect(f.lines()).toEqual([
    'ip -j -4 route show table main proto 87',
    'ip -4 route del 192.168.99.5/32 dev wg0 table main proto 87',
    'ip -j -6 route show table main proto 87',
    'ip -6 route replace fd00:78::/64 dev wg0 table main proto 87',
  ])
})

test('a routing table that does not exist yet reads as empty', async () => {
  const f = fakeRun({
    'ip -j -4 route show table 51820 proto 87': {
      fail: 'Error: ipv4: FIB table does not exist.\nDump terminated',
      exitCode: 2,
    },
  })
  await reconcileRoutes(f.run, [{ family: 4, dst: 'default', dev: 'wg0', table: 51820 }], {
    table: 51820,
    families: [4],
  })
  expect(f.lines()).toEqual([
    'ip -j -4 route show table 51820 proto 87',
    'ip -4 route replace default dev wg0 table 51820 proto 87',
  ])
})

test('same routes: no changing command', async () => {
  const f = fakeRun({
    'ip -j -4 route show table 51820 proto 87': JSON.stringify([
      { dst: 'default', dev: 'wg0', scope: 'link', flags: [] },
    ]),
  })
  await reconcileRoutes(f.run, [{ family: 4, dst: 'default', dev: 'wg0', table: 51820 }], {
    table: 51820,
    families: [4],
  })
  expect(f.lines()).toEqual(['ip -j -4 route show table 51820 proto 87'])
})

test('output that cannot be read fails naming the command', async () => {
  for (const output of ['{"dst":"default"}', '[{"dst":7,"dev":"wg0"}]', 'not json']) {
    const f = fakeRun({ 'ip -j -4 route show table main proto 87': output })
    await expect(reconcileRoutes(f.run, [], { table: 'main', families: [4] })).rejects.toThrow(
      /^cannot read the output of `ip -j -4 route show table main proto 87`: /,
    )
    expect(f.lines()).toEqual(['ip -j -4 route show table main proto 87'])
  }
})

test('fields iproute2 adds later are ignored', async () => {
  const f = fakeRun({
    'ip -j -4 route show table main proto 87': JSON.stringify([
      { dst: '192.168.78.0/24', dev: 'wg0', protocol: '87', newField: { nested: [1] }, flags: ['onlink'] },
    ]),
  })
  await reconcileRoutes(f.run, [{ family: 4, dst: '192.168.78.0/24', dev: 'wg0', table: 'main' }], {
    table: 'main',
    families: [4],
  })
  expect(f.lines()).toEqual(['ip -j -4 route show table main proto 87'])
})
