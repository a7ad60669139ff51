/**
 * The WireGuard config the agent wants on its interface: the state's peers (sites, the server)
 * and, on a tunnel server, every VPN device as a peer with its preshared key. Pure: no I/O.
 *
 * Devices travel in `vpn.devices`, not in `wireguard.peers`, because only they carry preshared
 * keys and users; here they become ordinary peers: AllowedIPs = the device's own addresses (which
 * binds each source address to one key), no endpoint (the device connects to us and roams), no
 * keepalive (a phone behind NAT keeps its own mapping alive).
 */
import type { DesiredState, WgInterfaceState, WgPeer } from '@wirewarp/protocol'

/** A peer as the agent configures it; a preshared key only where one is wanted. */
export interface WgPeerConfig extends WgPeer {
  /** Base64; absent or null: none. A secret: never into argv or logs. */
  presharedKey?: string | null
}

/** What `wg syncconf`/`wg set` are brought to: a state's interface with its peers and devices. */
export interface WgConfig {
  name: string
  listenPort: WgInterfaceState['listenPort']
  peers: readonly WgPeerConfig[]
}

export function wantedWgPeers(state: DesiredState): WgConfig {
  const wg = state.wireguard
  if (!wg) throw new Error('a detached client has no WireGuard config')
  if (state.mode !== 'server' || state.vpn.devices.length === 0) return wg
  const peers: WgPeerConfig[] = [...wg.peers]
  const seen = new Set(wg.peers.map((p) => p.publicKey))
  for (const d of state.vpn.devices) {
    // A key that is also a site (or another device) would be one WireGuard peer with the
    // allowed IPs of whichever came last: refuse rather than route one's traffic to the other.
    if (seen.has(d.publicKey)) throw new Error(`the public key ${d.publicKey} is used by two peers or devices`)
    seen.add(d.publicKey)
    peers.push({
      name: `device of user ${d.user}`,
      publicKey: d.publicKey,
      allowedIps: d.addresses,
      endpoint: null,
      persistentKeepalive: 0,
      presharedKey: d.presharedKey,
    })
  }
  return { name: wg.name, listenPort: wg.listenPort, peers }
}
