import { expect, test } from 'vitest'
import { fakeRun } from '../testing/fakeRun.ts'
import { defaultRouteInterface, listHostAddresses } from './hostNetwork.ts'

test('lists every address of every link, ignoring empty entries', async () => {
  const f = fakeRun({
    'ip -j addr show': JSON.stringify([
      { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
      {},
      { ifname: 'eth0', addr_info: [{}, { family: 'inet6', local: 'fd00::2', prefixlen: 64, extra: 1 }] },
    ]),
  })
  expect(await listHostAddresses(f.run)).toEqual(['127.0.0.1', 'fd00::2'])
})

test('the default route’s interface', async () => {
  const f = fakeRun({
    'ip -j -4 route show default': JSON.stringify([{ dst: 'default', gateway: '198.51.100.254', dev: 'eth0' }]),
  })
  expect(await defaultRouteInterface(f.run)).toBe('eth0')
  await expect(defaultRouteInterface(fakeRun({ 'ip -j -4 route show default': '[]' }).run)).rejects.toThrow(
    /no IPv4 default route/,
  )
})

test('output that cannot be read fails naming the command', async () => {
  for (const output of ['{}', '[{"addr_info":[{"local":1}]}]', '[{"addr_info":{}}]', '[[']) {
    const f = fakeRun({ 'ip -j addr show': output })
    await expect(listHostAddresses(f.run)).rejects.toThrow(/^cannot read the output of `ip -j addr show`: /)
  }
  for (const output of ['{"dev":"eth0"}', '[{"dev":["eth0"]}]', 'x']) {
    const f = fakeRun({ 'ip -j -4 route show default': output })
    await expect(defaultRouteInterface(f.run)).rejects.toThrow(
      /^cannot read the output of `ip -j -4 route show default`: /,
    )
  }
})
