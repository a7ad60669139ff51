import { readFile } from 'node:fs/promises'
import { DesiredState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { renderWgConf } from './renderWgConf.ts'

test.each(['server-forwards', 'server-ipv6', 'client-gateway', 'client-plain'])('%s', async (name) => {
  const json = JSON.parse(await readFile(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'))
  const state = DesiredState.parse(json.state)
  await expect(renderWgConf(state.wireguard!, json.privateKey)).toMatchFileSnapshot(`testdata/${name}.conf`)
})
