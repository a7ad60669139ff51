/**
 * Renders the remote-access VPN's part of a server's `table inet wirewarp`: the device networks
 * as sets, verdict maps from a device's source address to its user's chain, and one chain per
 * user with the user's rules in order (first match wins) ending in the default policy. Pure.
 *
 * Layout (the forward chain's rules come right after MSS clamping, before every accept):
 *
 *   iifname WG ip saddr @device_net4 ct direction reply accept     answers to connections made *to* a device
 *   iifname WG ip saddr @device_net4 ip saddr vmap @device_users4  jump u_<user>: its rules, then the policy
 *   iifname WG ip saddr @device_net4 drop                          an address no device has
 *
 * The chains see every packet a device sends, not only a connection's first: changing a rule to
 * drop cuts connections that are already open. Replies towards devices (from sites or the
 * internet) do not come from a device network, so they pass; so do sites' traffic and port
 * forwards. Every value is parsed and re-printed (addresses, ports, user ids as hex), so no text
 * from the state reaches nft as it was written.
 */
import type { VpnRuleState, VpnState } from '@wirewarp/protocol'
import { covers, formatIp, formatPrefixed, networkOf, type Prefixed, parsePrefixed } from './ipNetworks.ts'
import { nftElements } from './nftText.ts'

export interface VpnRuleset {
  /** Sets, maps and the users' chains: table-level declarations. */
  declarations: string[]
  /** Rules for the forward chain that send device traffic into its user's chain. */
  forward: string[]
}

const MAX_PREFIX = { 4: 32, 6: 128 } as const
const FAMILIES = [4, 6] as const
const IP = { 4: 'ip', 6: 'ip6' } as const

/** `u_` and the uuid's 32 hex digits: a chain name nft takes without quoting. */
export function userChainName(id: string): string {
  const hex = id.replaceAll('-', '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`"${id}" is not a user id (a uuid)`)
  return `u_${hex}`
}

function parseNetwork(text: string, what: string): Prefixed {
  const p = parsePrefixed(text)
  if (!p) throw new Error(`${what}: "${text}" is not an IP network`)
  return networkOf(p)
}

/** An address or network as nft prints it: a host network without its `/32` or `/128`. */
function nftAddress(p: Prefixed): string {
  return p.prefix === MAX_PREFIX[p.family] ? formatIp(p.family, p.value) : formatPrefixed(p)
}

function portText(ports: VpnRuleState['ports'], user: string): string | null {
  if (ports === null) return null
  const [first, last] = ports
  for (const p of ports)
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`user ${user}: ${p} is not a port`)
  if (first > last) throw new Error(`user ${user}: the port range ${first}-${last} is reversed`)
  return first === last ? `${first}` : `${first}-${last}`
}

/** One rule as nft matches: destination, then protocol and ports, then the verdict. */
export function renderVpnRule(r: VpnRuleState, user: string): string {
  const dst = parseNetwork(r.destination, `user ${user}`)
  // `ip daddr` also restricts the rule to its own family: a v4 rule never matches v6 traffic.
  const parts = [dst.prefix === 0 ? `meta nfproto ipv${dst.family}` : `${IP[dst.family]} daddr ${nftAddress(dst)}`]
  const ports = portText(r.ports, user)
  if (r.protocol !== null) parts.push(ports === null ? `meta l4proto ${r.protocol}` : `${r.protocol} dport ${ports}`)
  // No protocol but ports: the ports of both TCP and UDP.
  else if (ports !== null) parts.push(`meta l4proto { tcp, udp } th dport ${ports}`)
  parts.push(r.action === 'accept' ? 'accept' : 'drop')
  return parts.join(' ')
}

/** The device networks of a state, parsed; a network that does not parse is refused. */
export function deviceNetworksOf(vpn: VpnState): Prefixed[] {
  return vpn.deviceNetworks.map((n) => parseNetwork(n, 'device network'))
}

/**
 * A device's map elements (`ADDRESS : jump u_…`), by family, after checking its addresses: single
 * addresses inside the device networks. `chains`: the users' chains the state has; a device whose
 * user has none is a server bug, and its traffic is dropped (fail closed, not open).
 */
export function deviceElements(
  d: VpnState['devices'][number],
  networks: readonly Prefixed[],
  chains: ReadonlySet<string>,
): { family: 4 | 6; address: string; element: string }[] {
  return d.addresses.map((a) => {
    const p = parsePrefixed(a)
    if (!p || p.prefix !== MAX_PREFIX[p.family])
      throw new Error(`device ${d.publicKey}: "${a}" is not a single address (/32 or /128)`)
    // Outside the device networks its traffic would skip the user's rules altogether.
    if (!networks.some((n) => covers(n, p)))
      throw new Error(`device ${d.publicKey}: ${a} is outside the device networks`)
    const address = nftAddress(p)
    const chain = userChainName(d.user)
    return { family: p.family, address, element: `${address} : ${chains.has(chain) ? `jump ${chain}` : 'drop'}` }
  })
}

/** A user's chain body: the rules in order, then the default policy. */
export function userChainRules(u: VpnState['users'][number], defaultPolicy: VpnState['defaultPolicy']): string[] {
  return [...u.rules.map((r) => renderVpnRule(r, u.id)), defaultPolicy === 'accept' ? 'accept' : 'drop']
}

/** The users' chain names, refusing a user listed twice (ids that differ only in case are one). */
export function userChains(vpn: VpnState): Set<string> {
  const chains = new Set<string>()
  for (const u of vpn.users) {
    if (chains.has(userChainName(u.id))) throw new Error(`user ${u.id} is listed twice`)
    chains.add(userChainName(u.id))
  }
  return chains
}

export function renderVpnRuleset(vpn: VpnState, wg: string): VpnRuleset {
  if (vpn.deviceNetworks.length === 0 && vpn.devices.length === 0) return { declarations: [], forward: [] }
  const networks = deviceNetworksOf(vpn)
  const chains = userChains(vpn)

  const elements = { 4: [] as string[], 6: [] as string[] }
  const taken = new Map<string, string>()
  for (const d of vpn.devices)
    for (const e of deviceElements(d, networks, chains)) {
      const other = taken.get(e.address)
      if (other) throw new Error(`devices ${other} and ${d.publicKey} both use ${e.address}`)
      taken.set(e.address, d.publicKey)
      elements[e.family].push(e.element)
    }

  const declarations: string[] = []
  for (const f of FAMILIES) {
    const nets = [...new Set(networks.filter((n) => n.family === f).map(formatPrefixed))]
    declarations.push(
      `  set device_net${f} {`,
      `    type ipv${f}_addr`,
      '    flags interval',
      '    auto-merge',
      ...nftElements(nets, '    '),
      '  }',
    )
  }
  for (const f of FAMILIES)
    declarations.push(
      `  map device_users${f} {`,
      `    type ipv${f}_addr : verdict`,
      ...nftElements(elements[f], '    '),
      '  }',
    )
  for (const u of vpn.users)
    declarations.push(
      `  chain ${userChainName(u.id)} {`,
      ...userChainRules(u, vpn.defaultPolicy).map((r) => `    ${r}`),
      '  }',
    )

  const from = (f: 4 | 6) => `iifname ${wg} ${IP[f]} saddr @device_net${f}`
  const forward = [
    // A device answering a connection someone made to it (another device, a port forward) is
    // not reaching anything itself: its own user's rules are not the ones that apply.
    ...FAMILIES.map((f) => `    ${from(f)} ct direction reply accept`),
    ...FAMILIES.map((f) => `    ${from(f)} ${IP[f]} saddr vmap @device_users${f}`),
    // Not in the map: no device has this address, so nobody may use it.
    ...FAMILIES.map((f) => `    ${from(f)} drop`),
  ]
  return { declarations, forward }
}
