import { readFile } from 'node:fs/promises'
import { DesiredState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { computeDesiredState, type DesiredStateInput } from './computeDesiredState.ts'

// Golden files: review the diff after `vitest -u`.
test.each(['server-two-clients', 'client-gateway', 'client-plain', 'client-detached'])('%s', async (name) => {
  const input = JSON.parse(
    await readFile(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'),
  ) as DesiredStateInput
  const state = computeDesiredState(input)
  // What the server sends is what the agent will parse.
  expect(DesiredState.safeParse(state).success).toBe(true)
  await expect(`${JSON.stringify(state, null, 2)}\n`).toMatchFileSnapshot(`testdata/${name}.state.json`)
})

test('the same rows in another order give the same document', async () => {
  const input = JSON.parse(
    await readFile(new URL('testdata/server-two-clients.json', import.meta.url), 'utf8'),
  ) as DesiredStateInput
  if (input.mode !== 'server') throw new Error('fixture')
  const shuffled = { ...input, clients: [...input.clients].reverse(), forwards: [...input.forwards].reverse() }
  expect(computeDesiredState(shuffled)).toEqual(computeDesiredState(input))
})

test("a site's server peer allows IPv6 when only the device network is IPv6", async () => {
  const input = JSON.parse(
    await readFile(new URL('testdata/client-plain.json', import.meta.url), 'utf8'),
  ) as DesiredStateInput
  if (input.mode !== 'client' || !input.server) throw new Error('fixture')
  const peerOf = (i: DesiredStateInput) => {
    const s = computeDesiredState(i)
    return s.mode === 'client' ? s.wireguard?.peers[0]?.allowedIps : undefined
  }
  expect(peerOf(input)).toEqual(['0.0.0.0/0'])
  const withV6 = { ...input, server: { ...input.server, deviceNetworkV6: 'fd00:96::/64' } }
  expect(peerOf(withV6)).toEqual(['0.0.0.0/0', '::/0'])
  const state = computeDesiredState(withV6)
  expect(state.mode === 'client' && state.deviceNetworks).toEqual(['100.96.0.0/16', 'fd00:96::/64'])
})
