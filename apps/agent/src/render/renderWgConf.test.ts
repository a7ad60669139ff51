import { readFile } from 'node:fs/promises'
import { DesiredState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { renderWgConf } from './renderWgConf.ts'
import { wantedWgPeers } from './wantedWgPeers.ts'

test.each(['server-forwards', 'server-ipv6', 'server-vpn', 'client-gateway', 'client-plain'])('%s', async (name) => {
  const json = JSON.parse(await readFile(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'))
  const state = DesiredState.parse(json.state)
  await expect(renderWgConf(wantedWgPeers(state), json.privateKey)).toMatchFileSnapshot(`testdata/${name}.conf`)
})

test('a key used by a site and a device is refused', async () => {
  const json = JSON.parse(await readFile(new URL('testdata/server-vpn.json', import.meta.url), 'utf8'))
  const state = DesiredState.parse(json.state)
  if (state.mode !== 'server') throw new Error('a server state')
  state.vpn.devices[0]!.publicKey = state.wireguard.peers[0]!.publicKey
  expect(() => wantedWgPeers(state)).toThrow(/is used by two peers or devices/)
})
