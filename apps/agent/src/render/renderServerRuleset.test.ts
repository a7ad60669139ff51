import { readFile } from 'node:fs/promises'
import { ServerState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { renderServerRuleset } from './renderServerRuleset.ts'

async function load(name: string) {
  const json = JSON.parse(await readFile(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'))
  return { state: ServerState.parse(json.state), publicInterface: json.publicInterface as string }
}

test.each(['server-forwards', 'server-ipv6', 'server-vpn'])('%s', async (name) => {
  const input = await load(name)
  await expect(renderServerRuleset(input)).toMatchFileSnapshot(`testdata/${name}.nft`)
})

test('counter values are carried into the new table', async () => {
  const input = await load('server-forwards')
  const text = renderServerRuleset({
    ...input,
    counters: new Map([['f_3f2a1c4e000040008000000000000001', { packets: 12, bytes: 3456 }]]),
  })
  expect(text).toContain(
    '  counter f_3f2a1c4e000040008000000000000001 {\n    comment "3f2a1c4e-0000-4000-8000-000000000001"\n    packets 12 bytes 3456\n  }',
  )
})

test('two forwards on one port are refused with both ids', async () => {
  const { state, publicInterface } = await load('server-forwards')
  const clash = { ...state.forwards[0]!, id: 'other', publicPort: 27016, protocol: 'both' as const }
  expect(() =>
    renderServerRuleset({ state: { ...state, forwards: [...state.forwards, clash] }, publicInterface }),
  ).toThrow('forwards 3f2a1c4e-0000-4000-8000-000000000003 and other both use udp port 27016')
})

test('an interface name that could break out of the quotes is refused', async () => {
  const input = await load('server-forwards')
  expect(() => renderServerRuleset({ ...input, publicInterface: 'eth0" accept' })).toThrow(
    /not a usable interface name/,
  )
})
