/**
 * Renders a server's `table inet wirewarp` as one `nft -f` transaction: public port forwards as
 * dnat maps, masquerade for forwards without the real client IP and for gateway clients' and VPN
 * devices' egress, per-forward traffic counters, MSS clamping, and the VPN users' rules
 * (renderVpnRuleset.ts). Pure: no I/O.
 *
 * The shape follows the data-plane recipe verified on real traffic (agent README, "Drivers").
 * The table is declared, deleted and declared again in the same transaction, so the first apply
 * (no table yet) and every later one work the same way, and a ruleset that fails to load leaves
 * the old one live.
 */
import type { ServerState } from '@wirewarp/protocol'
import { hexMark, MASQUERADE_MARK, NFT_TABLE } from './dataplaneIds.ts'
import { expandForwards, forwardCounterNames, type PortEntry } from './forwardPorts.ts'
import { familyOf, formatPrefixed, networkOf, parsePrefixed } from './ipNetworks.ts'
import { nftElements, nftString } from './nftText.ts'
import { renderVpnRuleset } from './renderVpnRuleset.ts'

export interface CounterValue {
  packets: number
  bytes: number
}

export interface ServerRulesetInput {
  state: ServerState
  /** The interface facing the internet: state.publicInterface, or the default route's. */
  publicInterface: string
  /**
   * Current counter values by counter name. Replacing the table would reset them; rendering them
   * as the new counters' start values keeps per-forward traffic growing across applies.
   */
  counters?: ReadonlyMap<string, CounterValue>
}

export function renderServerRuleset({ state, publicInterface, counters }: ServerRulesetInput): string {
  const pub = nftString(publicInterface)
  const wg = nftString(state.wireguard.name)
  const entries = expandForwards(state.forwards)
  const names = forwardCounterNames(state.forwards)
  const mark = hexMark(MASQUERADE_MARK)
  const v6 = (e: PortEntry) => familyOf(e.destinationIp) === 6
  const proto = (p: 'tcp' | 'udp') => entries.filter((e) => e.protocol === p)
  const dnat = (p: 'tcp' | 'udp', family: 4 | 6) =>
    proto(p)
      .filter((e) => v6(e) === (family === 6))
      .map((e) => `${e.publicPort} : ${e.destinationIp} . ${e.destinationPort}`)
  const masq = (p: 'tcp' | 'udp') =>
    proto(p)
      .filter((e) => !e.forward.preserveClientIp)
      .map((e) => `${e.publicPort}`)
  const count = (p: 'tcp' | 'udp') => proto(p).map((e) => `${e.publicPort} : "${names.get(e.forward.id)}"`)
  // Device networks are masqueraded like gateway LANs, so full-tunnel devices reach the internet
  // from the public address; their users' rules have already judged every packet by then.
  const deviceNetworks = state.vpn.deviceNetworks.flatMap((n) => {
    const p = parsePrefixed(n)
    return p ? [formatPrefixed(networkOf(p))] : []
  })
  const sources = (family: 4 | 6) => [
    ...new Set([...state.masqueradeSources, ...deviceNetworks].filter((s) => familyOf(s) === family)),
  ]
  const vpn = renderVpnRuleset(state.vpn, wg)
  // IPv6 destinations need their own maps (`dnat ip6 to`); most servers have none.
  const dnat6 = (p: 'tcp' | 'udp') => dnat(p, 6).length > 0
  const pair = `iifname . oifname { ${pub} . ${wg}, ${wg} . ${pub} }`

  const lines = [`table inet ${NFT_TABLE} {}`, `delete table inet ${NFT_TABLE}`, `table inet ${NFT_TABLE} {`]
  for (const [id, name] of names) {
    const value = counters?.get(name) ?? { packets: 0, bytes: 0 }
    lines.push(`  counter ${name} {`)
    // Only ids nft can quote go into the comment; the name already identifies the counter.
    if (/^[\x20-\x7e]*$/.test(id) && !/["\\]/.test(id)) lines.push(`    comment "${id}"`)
    lines.push(`    packets ${value.packets} bytes ${value.bytes}`, '  }')
  }
  const block = (kind: 'map' | 'set', name: string, type: string[], elements: string[]) => {
    lines.push(`  ${kind} ${name} {`, ...type.map((t) => `    ${t}`), ...nftElements(elements, '    '), '  }')
  }
  for (const p of ['tcp', 'udp'] as const) block('map', `count_${p}`, ['type inet_service : counter'], count(p))
  for (const p of ['tcp', 'udp'] as const)
    block('map', `dnat_${p}`, ['type inet_service : ipv4_addr . inet_service'], dnat(p, 4))
  for (const p of ['tcp', 'udp'] as const)
    if (dnat6(p)) block('map', `dnat6_${p}`, ['type inet_service : ipv6_addr . inet_service'], dnat(p, 6))
  for (const p of ['tcp', 'udp'] as const) block('set', `masq_${p}`, ['type inet_service'], masq(p))
  block('set', 'masq_sources4', ['type ipv4_addr', 'flags interval', 'auto-merge'], sources(4))
  block('set', 'masq_sources6', ['type ipv6_addr', 'flags interval', 'auto-merge'], sources(6))
  lines.push(...vpn.declarations)

  lines.push(
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...(['tcp', 'udp'] as const).map((p) => `    iifname ${pub} ${p} dport @masq_${p} ct mark set ${mark}`),
    ...(['tcp', 'udp'] as const).map((p) => `    iifname ${pub} dnat ip to ${p} dport map @dnat_${p}`),
    ...(['tcp', 'udp'] as const).filter(dnat6).map((p) => `    iifname ${pub} dnat ip6 to ${p} dport map @dnat6_${p}`),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    // Forwards without the real client IP: the client answers the server, not the internet.
    `    oifname ${wg} ct mark ${mark} masquerade`,
    // Gateway clients' networks reach the internet from the server's public address.
    `    iifname ${wg} oifname ${pub} ip saddr @masq_sources4 masquerade`,
    `    iifname ${wg} oifname ${pub} ip6 saddr @masq_sources6 masquerade`,
    '  }',
    '  chain forward {',
    // Accept, never drop: a drop policy here would also stop Docker's and everyone else's traffic.
    '    type filter hook forward priority filter; policy accept;',
    '    tcp flags syn tcp option maxseg size set rt mtu',
    // Before any accept: a device's every packet passes its user's rules.
    ...vpn.forward,
    // A filter chain sees every packet of both directions (a nat chain only the first), and the
    // conntrack entry still knows the public port a reply belongs to.
    ...(['tcp', 'udp'] as const).map(
      (p) => `    ${pair} ct status dnat meta l4proto ${p} counter name ct original proto-dst map @count_${p}`,
    ),
    `    ${pair} ct status dnat accept`,
    `    iifname ${wg} oifname ${pub} ip saddr @masq_sources4 accept`,
    `    iifname ${wg} oifname ${pub} ip6 saddr @masq_sources6 accept`,
    `    iifname ${pub} oifname ${wg} ct state established,related accept`,
    '  }',
    // Devices reaching the server itself (its SSH, a DNS server on it) pass their user's rules too.
    ...(vpn.forward.length > 0
      ? ['  chain input {', '    type filter hook input priority filter; policy accept;', ...vpn.forward, '  }']
      : []),
    '}',
  )
  return `${lines.join('\n')}\n`
}
