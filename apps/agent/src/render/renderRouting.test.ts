import { readFile } from 'node:fs/promises'
import { ClientState, ServerState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { routeArgv, ruleArgv } from './ipRouting.ts'
import { renderClientRouting } from './renderClientRouting.ts'
import { renderServerRoutes } from './renderServerRoutes.ts'

async function load(name: string) {
  return JSON.parse(await readFile(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'))
}
// Goldens hold the commands that would create the entries: easier to review than the data.
const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`

test.each(['server-forwards', 'server-ipv6', 'server-vpn'])('server routes: %s', async (name) => {
  const json = await load(name)
  const routes = renderServerRoutes(ServerState.parse(json.state))
  await expect(pretty({ routes: routes.map((r) => routeArgv(r, 'replace').join(' ')) })).toMatchFileSnapshot(
    `testdata/${name}.routes.json`,
  )
})

test.each(['client-gateway', 'client-plain', 'client-detached', 'client-vpn'])('client rules: %s', async (name) => {
  const json = await load(name)
  const routing = renderClientRouting({ state: ClientState.parse(json.state), hostAddresses: json.hostAddresses })
  const commands = {
    rules: routing.rules.map((r) => ruleArgv(r, 'add').join(' ')),
    routes: routing.routes.map((r) => routeArgv(r, 'replace').join(' ')),
  }
  await expect(pretty(commands)).toMatchFileSnapshot(`testdata/${name}.rules.json`)
})

test('a server peer allowed 0.0.0.0/0 never gets a default route', async () => {
  const state = ServerState.parse((await load('server-forwards')).state)
  state.wireguard.peers[0]!.allowedIps.push('0.0.0.0/0')
  expect(renderServerRoutes(state).map((r) => r.dst)).toEqual(['192.168.78.0/24'])
})

test('gateway networks get no rule while the gateway is off', async () => {
  const state = ClientState.parse((await load('client-gateway')).state)
  state.gateway.enabled = false
  const { rules } = renderClientRouting({ state, hostAddresses: [] })
  expect(rules.filter((r) => r.priority === 5000)).toEqual([])
})
