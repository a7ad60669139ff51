/**
 * Renders a client's policy routing: routing table 51820 (`default dev WG`) and the `ip rule`s at
 * the agent's fixed priorities that send into it the traffic which must leave through the
 * tunnel. Pure: no I/O. A detached client (no WireGuard) gets none.
 *
 * - 100 `lookup main suppress_prefixlength 0`: specific routes (LAN, tunnel) always win; only the
 *   default route falls through to the rules below.
 * - 5000 `from LAN lookup 51820`, per gateway network: its internet traffic leaves via the server.
 * - 5100 `fwmark 0x5157 lookup 51820`: replies to connections that came in through the tunnel.
 *   VPN devices' connections are such connections; for an address family the tunnel itself
 *   lacks (IPv6 devices over an IPv4-only tunnel) only this rule, 100 and the table are made.
 * - 5200 `iif lo ipproto udp sport P lookup 51820`, per UDP forward with the real client IP to this
 *   host: a UDP server bound to 0.0.0.0 answers from the address of the route to the client (the
 *   LAN one), so the reply would not match the connection and would leave through the home
 *   router. Choosing the route by source port makes it answer from the tunnel.
 */
import type { ClientState } from '@wirewarp/protocol'
import { ROUTING_TABLE, RULE_PRIORITY, TUNNEL_MARK } from './dataplaneIds.ts'
import { rangeWidth } from './forwardPorts.ts'
import { familyOf, formatPrefixed, networkOf, parsePrefixed } from './ipNetworks.ts'
import type { Route, RoutingRule } from './ipRouting.ts'
import { isLocalAddress } from './localAddress.ts'

export interface ClientRoutingInput {
  state: ClientState
  /** Every address on the host's interfaces (`ip -j addr`). */
  hostAddresses: readonly string[]
}

export interface ClientRouting {
  rules: RoutingRule[]
  routes: Route[]
}

export function renderClientRouting({ state, hostAddresses }: ClientRoutingInput): ClientRouting {
  const wg = state.wireguard
  if (!wg) return { rules: [], routes: [] }
  const has = (list: readonly string[], f: 4 | 6) => list.some((a) => familyOf(a) === f)
  const tunnel = (f: 4 | 6) => has(wg.addresses, f)
  const families = ([4, 6] as const).filter((f) => tunnel(f) || has(state.deviceNetworks, f))
  const rules: RoutingRule[] = []
  const routes: Route[] = []
  for (const family of families) {
    routes.push({ family, dst: 'default', dev: wg.name, table: ROUTING_TABLE })
    rules.push({ family, priority: RULE_PRIORITY.suppressDefault, table: 'main', suppressPrefixLength: 0 })
    if (!tunnel(family)) {
      rules.push({ family, priority: RULE_PRIORITY.tunnelMark, fwmark: TUNNEL_MARK, table: ROUTING_TABLE })
      continue
    }
    if (state.gateway.enabled)
      for (const lan of state.gateway.lanNetworks) {
        const net = parsePrefixed(lan)
        if (net?.family === family)
          rules.push({
            family,
            priority: RULE_PRIORITY.gatewayLan,
            from: formatPrefixed(networkOf(net)),
            table: ROUTING_TABLE,
          })
      }
    rules.push({ family, priority: RULE_PRIORITY.tunnelMark, fwmark: TUNNEL_MARK, table: ROUTING_TABLE })
    const seen = new Set<string>()
    for (const f of state.inboundForwards) {
      if (f.protocol === 'tcp' || !f.preserveClientIp || familyOf(f.destinationIp) !== family) continue
      if (!isLocalAddress(f.destinationIp, state, hostAddresses)) continue
      const sport = [f.destinationPort, f.destinationPort + rangeWidth(f)] as const
      if (seen.has(`${sport}`)) continue
      seen.add(`${sport}`)
      rules.push({ family, priority: RULE_PRIORITY.localUdp, iif: 'lo', ipproto: 'udp', sport, table: ROUTING_TABLE })
    }
  }
  return { rules, routes }
}
