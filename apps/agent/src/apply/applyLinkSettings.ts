/**
 * Gives the WireGuard interface its addresses (adding the missing ones, removing any other), its
 * MTU, and brings it up; compares with `ip -j addr show dev NAME` first and changes only what
 * differs. Link-local IPv6 addresses are the kernel's and are left alone.
 */
import type { WgInterfaceState } from '@wirewarp/protocol'
import { z } from 'zod'
import type { Run } from '../exec/run.ts'
import { canonicalPrefixed, familyOf } from '../render/ipNetworks.ts'
import { parseCommandJson } from './commandJson.ts'

/** `ip -j addr show dev NAME`: the fields used here. Some iproute2 versions print empty `{}` entries. */
const IpAddrLinks = z.array(
  z.looseObject({
    ifname: z.string().optional(),
    flags: z.array(z.string()).optional(),
    mtu: z.number().optional(),
    addr_info: z
      .array(
        z.looseObject({
          local: z.string().optional(),
          prefixlen: z.number().optional(),
          scope: z.string().optional(),
        }),
      )
      .optional(),
  }),
)

export async function applyLinkSettings(run: Run, wg: WgInterfaceState): Promise<void> {
  const argv = ['ip', '-j', 'addr', 'show', 'dev', wg.name]
  const links = parseCommandJson(argv, await run(argv), IpAddrLinks)
  const link = links.find((l) => l.ifname === wg.name) ?? links[0]
  const have = new Map<string, string>()
  for (const a of link?.addr_info ?? []) {
    if (a.scope === 'link' || !a.local || a.prefixlen === undefined) continue
    have.set(canonicalPrefixed(`${a.local}/${a.prefixlen}`), `${a.local}/${a.prefixlen}`)
  }
  const want = new Set(wg.addresses.map(canonicalPrefixed))
  // Remove before adding: deleting a primary IPv4 address also deletes the secondaries in its
  // subnet, which could be the new address added a moment before.
  for (const [canonical, text] of have)
    if (!want.has(canonical)) await run(['ip', `-${familyOf(text) ?? 4}`, 'addr', 'del', text, 'dev', wg.name])
  for (const address of wg.addresses)
    if (!have.has(canonicalPrefixed(address)))
      await run(['ip', `-${familyOf(address) ?? 4}`, 'addr', 'add', address, 'dev', wg.name])
  if (link?.mtu !== wg.mtu) await run(['ip', 'link', 'set', 'dev', wg.name, 'mtu', String(wg.mtu)])
  if (!link?.flags?.includes('UP')) await run(['ip', 'link', 'set', 'dev', wg.name, 'up'])
}
