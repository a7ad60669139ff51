import { readFile } from 'node:fs/promises'
import { ClientState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { renderClientRuleset } from './renderClientRuleset.ts'

test.each(['client-gateway', 'client-plain', 'client-detached', 'client-vpn'])('%s', async (name) => {
  const json = JSON.parse(await readFile(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'))
  const text = renderClientRuleset({ state: ClientState.parse(json.state), hostAddresses: json.hostAddresses })
  await expect(text).toMatchFileSnapshot(`testdata/${name}.nft`)
})
