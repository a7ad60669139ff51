/**
 * Renders the routes a server needs in its main table: each peer's allowed network that the
 * interface address does not already cover (a gateway client's LAN), and the VPN's device
 * networks (replies to devices), via the WireGuard interface. Pure: no I/O.
 *
 * Devices get one route per device network, not one per device: WireGuard's allowed IPs pick
 * the device's peer inside the interface, so adding a device changes no route.
 */
import type { ServerState } from '@wirewarp/protocol'
import { covers, formatPrefixed, networkOf, parsePrefixed } from './ipNetworks.ts'
import type { Route } from './ipRouting.ts'

export function renderServerRoutes(state: ServerState): Route[] {
  const dev = state.wireguard.name
  const own = state.wireguard.addresses.flatMap((a) => {
    const p = parsePrefixed(a)
    return p ? [networkOf(p)] : []
  })
  const routes = new Map<string, Route>()
  const networks = [...state.wireguard.peers.flatMap((p) => p.allowedIps), ...state.vpn.deviceNetworks]
  for (const allowed of networks) {
    const net = parsePrefixed(allowed)
    // A /0 would replace the server's own default route and cut it off the internet.
    if (!net || net.prefix === 0 || own.some((o) => covers(o, net))) continue
    const dst = formatPrefixed(networkOf(net))
    routes.set(`${net.family} ${dst}`, { family: net.family, dst, dev, table: 'main' })
  }
  return [...routes.values()].sort((a, b) => a.family - b.family || a.dst.localeCompare(b.dst))
}
