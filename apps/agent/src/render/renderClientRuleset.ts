/**
 * Renders a client's `table inet wirewarp` as one `nft -f` transaction: the connmark that sends
 * replies to connections which came in through the tunnel back through it (so services see the
 * real client IP), MSS clamping, and masquerade for forwards into the LAN that cannot keep the
 * client IP and for VPN devices' traffic into the LAN. A detached client (no WireGuard) gets the
 * table removed. Pure: no I/O.
 *
 * The shape follows the data-plane recipe verified on real traffic (agent README, "Drivers").
 */
import type { ClientState } from '@wirewarp/protocol'
import { hexMark, NFT_TABLE, TUNNEL_MARK } from './dataplaneIds.ts'
import { protocolsOf, rangeWidth } from './forwardPorts.ts'
import { familyOf, formatPrefixed, networkOf, parsePrefixed } from './ipNetworks.ts'
import { isLocalAddress } from './localAddress.ts'
import { nftElements, nftString, renderNftRemoval } from './nftText.ts'

export interface ClientRulesetInput {
  state: ClientState
  /** Every address on the host's interfaces (`ip -j addr`), to tell local destinations apart. */
  hostAddresses: readonly string[]
}

export function renderClientRuleset({ state, hostAddresses }: ClientRulesetInput): string {
  if (!state.wireguard) return renderNftRemoval()
  const wg = nftString(state.wireguard.name)
  const mark = hexMark(TUNNEL_MARK)

  // Without the real client IP the server sends from its tunnel address; a LAN host whose
  // default route is the home router would answer past us. Masquerading makes it answer us.
  const masquerade = new Set<string>()
  for (const f of state.inboundForwards) {
    if (f.preserveClientIp || isLocalAddress(f.destinationIp, state, hostAddresses)) continue
    const ip = familyOf(f.destinationIp) === 6 ? 'ip6' : 'ip'
    const width = rangeWidth(f)
    const ports = width === 0 ? `${f.destinationPort}` : `${f.destinationPort}-${f.destinationPort + width}`
    for (const p of protocolsOf(f))
      masquerade.add(`    iifname ${wg} ${ip} daddr ${f.destinationIp} ${p} dport ${ports} masquerade`)
  }

  // VPN devices reach this site's networks through the server. LAN hosts have no route back to
  // the device networks, so what a device sends on into the LAN (or wherever this host forwards
  // it, gateway or not) leaves from this host's address there; the connmark below sends the
  // replies back into the tunnel. Traffic to this host itself needs no masquerade.
  const devices = { 4: [] as string[], 6: [] as string[] }
  for (const n of state.deviceNetworks) {
    const p = parsePrefixed(n)
    if (p) devices[p.family].push(formatPrefixed(networkOf(p)))
  }
  const deviceFamilies = ([4, 6] as const).filter((f) => devices[f].length > 0)
  for (const f of deviceFamilies)
    masquerade.add(`    iifname ${wg} oifname != ${wg} ${f === 4 ? 'ip' : 'ip6'} saddr @device_net${f} masquerade`)

  const lines = [`table inet ${NFT_TABLE} {}`, `delete table inet ${NFT_TABLE}`, `table inet ${NFT_TABLE} {`]
  for (const f of deviceFamilies)
    lines.push(
      `  set device_net${f} {`,
      `    type ipv${f}_addr`,
      '    flags interval',
      '    auto-merge',
      ...nftElements([...new Set(devices[f])], '    '),
      '  }',
    )
  lines.push(
    '  chain prerouting {',
    '    type filter hook prerouting priority mangle; policy accept;',
    `    iifname ${wg} ct state new ct mark set ${mark}`,
    // Replies forwarded from the LAN (a VM behind the gateway) pick up the mark for rule 5100.
    `    iifname != ${wg} ct mark ${mark} meta mark set ct mark`,
    '  }',
    '  chain output {',
    // A route chain re-routes the packet after the mark changes; a filter chain would not.
    '    type route hook output priority mangle; policy accept;',
    `    ct mark ${mark} meta mark set ct mark`,
    '  }',
    '  chain forward {',
    // Accept, never drop: a drop policy here would also stop Docker's and everyone else's traffic.
    '    type filter hook forward priority filter; policy accept;',
    '    tcp flags syn tcp option maxseg size set rt mtu',
    '  }',
  )
  if (masquerade.size > 0)
    lines.push(
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      ...masquerade,
      '  }',
    )
  lines.push('}')
  return `${lines.join('\n')}\n`
}
