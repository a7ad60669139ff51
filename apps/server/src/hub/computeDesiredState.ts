/**
 * Computes an agent's whole desired state from rows already loaded from the database. Pure: no
 * I/O, so it is unit-tested directly and the same rows always give the same document.
 */
import {
  type ClientState,
  cidrContains,
  type DesiredState,
  type DeviceState,
  type ForwardState,
  orderRules,
  parseCidr,
  parsePortRange,
  type RuleLike,
  type ServerState,
  type VpnState,
  type WgPeer,
} from '@wirewarp/protocol'
import { deviceIpv4, deviceIpv6, SERVER_DEVICE_OFFSET } from '../tunnel/deviceAddresses.ts'
import { serverTunnelIp, v6TunnelIp } from '../tunnel/tunnelAddresses.ts'

export interface ServerInput {
  name: string
  publicIp: string | null
  publicInterface: string | null
  wgPort: number
  wgInterface: string
  wgPublicKey: string | null
  tunnelNetworkV4: string
  tunnelNetworkV6: string | null
  mtu: number
  deviceNetworkV4: string
  deviceNetworkV6: string | null
}

export interface ClientInput {
  id: string
  name: string
  tunnelIp: string | null
  wgPublicKey: string | null
  isGateway: boolean
  lanNetworks: string[]
  lanIp: string | null
}

export interface ForwardInput {
  id: string
  tunnelClientId: string
  protocol: 'tcp' | 'udp' | 'both'
  publicPort: number
  publicPortEnd: number | null
  destinationIp: string
  destinationPort: number
  enabled: boolean
  preserveClientIp: boolean
}

export interface DeviceInput {
  id: string
  userId: string
  publicKey: string
  /** Opened from the secret box; null: none (or not shown). */
  presharedKey: string | null
  hostOffset: number
  enabled: boolean
  userDisabled: boolean
}

export interface VpnInput {
  defaultPolicy: 'accept' | 'drop'
  devices: DeviceInput[]
  /** The rules that can hold on this server (for it or for all), in any order. */
  rules: RuleLike[]
}

export type DesiredStateInput =
  | {
      mode: 'server'
      epoch: string
      revision: number
      server: ServerInput
      clients: ClientInput[]
      forwards: ForwardInput[]
      /** Absent: no devices (inputs written before the VPN). */
      vpn?: VpnInput
    }
  | {
      mode: 'client'
      epoch: string
      revision: number
      client: ClientInput
      server: ServerInput | null
      forwards: ForwardInput[]
    }

// Keeps the NAT mapping of a client behind CGNAT open, so the server can reach it at any time.
const KEEPALIVE_SECONDS = 25

function prefixOf(cidr: string): number {
  return parseCidr(cidr)?.prefix ?? 32
}

function tunnelNetworks(s: ServerInput): string[] {
  return s.tunnelNetworkV6 ? [s.tunnelNetworkV4, s.tunnelNetworkV6] : [s.tunnelNetworkV4]
}

function deviceNetworks(s: ServerInput): string[] {
  return s.deviceNetworkV6 ? [s.deviceNetworkV4, s.deviceNetworkV6] : [s.deviceNetworkV4]
}

/**
 * Devices whose peer belongs on the server (enabled, of a user who may sign in), sorted by key,
 * and every such user with the rules for them in the order they are enforced.
 */
function vpnState(s: ServerInput, vpn: VpnInput | undefined): VpnState {
  const active = (vpn?.devices ?? []).filter((d) => d.enabled && !d.userDisabled)
  const devices: DeviceState[] = active
    .map((d) => {
      const v6 = deviceIpv6(s.deviceNetworkV6, d.hostOffset)
      return {
        publicKey: d.publicKey,
        presharedKey: d.presharedKey,
        addresses: [`${deviceIpv4(s.deviceNetworkV4, d.hostOffset)}/32`, ...(v6 ? [`${v6}/128`] : [])],
        user: d.userId,
      }
    })
    .sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0))
  const users = [...new Set(active.map((d) => d.userId))].sort()
  // Grouped once: a filter per user would cost users × rules.
  const everyone: RuleLike[] = []
  const own = new Map<string, RuleLike[]>()
  for (const r of vpn?.rules ?? []) {
    if (r.userId === null) everyone.push(r)
    else own.set(r.userId, [...(own.get(r.userId) ?? []), r])
  }
  return {
    deviceNetworks: deviceNetworks(s),
    defaultPolicy: vpn?.defaultPolicy ?? 'accept',
    devices,
    users: users.map((id) => ({
      id,
      rules: orderRules([...(own.get(id) ?? []), ...everyone]).map((r) => ({
        action: r.action,
        destination: r.destination,
        protocol: r.protocol,
        ports: r.ports === null ? null : parsePortRange(r.ports),
      })),
    })),
  }
}

function endpointOf(s: ServerInput): string | null {
  if (!s.publicIp) return null
  return s.publicIp.includes(':') ? `[${s.publicIp}]:${s.wgPort}` : `${s.publicIp}:${s.wgPort}`
}

function forwardStates(forwards: ForwardInput[], clients: Map<string, ClientInput>): ForwardState[] {
  const out: ForwardState[] = []
  for (const f of forwards) {
    const via = clients.get(f.tunnelClientId)?.tunnelIp
    // A disabled forward is absent: applying the state removes it. One whose client has no
    // tunnel address yet has nowhere to go.
    if (!f.enabled || !via) continue
    out.push({
      id: f.id,
      protocol: f.protocol,
      publicPort: f.publicPort,
      publicPortEnd: f.publicPortEnd,
      destinationIp: f.destinationIp,
      destinationPort: f.destinationPort,
      via,
      preserveClientIp: f.preserveClientIp,
    })
  }
  return out.sort(
    (a, b) => a.publicPort - b.publicPort || a.protocol.localeCompare(b.protocol) || a.id.localeCompare(b.id),
  )
}

function serverState(input: Extract<DesiredStateInput, { mode: 'server' }>): ServerState {
  const s = input.server
  const v4 = serverTunnelIp(s.tunnelNetworkV4)
  const addresses = [`${v4}/${prefixOf(s.tunnelNetworkV4)}`]
  if (s.tunnelNetworkV6)
    addresses.push(`${v6TunnelIp(s.tunnelNetworkV6, s.tunnelNetworkV4, v4)}/${prefixOf(s.tunnelNetworkV6)}`)
  const vpn = vpnState(s, input.vpn)
  // The server's own address in each device network: the route to the devices comes with it.
  if (vpn.devices.length > 0) {
    addresses.push(`${deviceIpv4(s.deviceNetworkV4, SERVER_DEVICE_OFFSET)}/${prefixOf(s.deviceNetworkV4)}`)
    if (s.deviceNetworkV6)
      addresses.push(`${deviceIpv6(s.deviceNetworkV6, SERVER_DEVICE_OFFSET)}/${prefixOf(s.deviceNetworkV6)}`)
  }

  const clients = [...input.clients].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  const peers: WgPeer[] = []
  const claimed = new Set<string>()
  for (const c of clients) {
    if (!c.wgPublicKey || !c.tunnelIp) continue
    const allowedIps = [`${c.tunnelIp}/32`]
    if (s.tunnelNetworkV6) allowedIps.push(`${v6TunnelIp(s.tunnelNetworkV6, s.tunnelNetworkV4, c.tunnelIp)}/128`)
    // Traffic for a client's LAN (forwards to its VMs, replies to them) is routed to that client.
    allowedIps.push(...c.lanNetworks)
    // A forward may name a host the client reaches on a network it does not route for us (a LAN
    // box behind the home router): route that one address to the client, or the forward has
    // nowhere to go. An address claimed by an earlier client stays with it: WireGuard allows one
    // peer per address.
    for (const f of input.forwards) {
      if (f.tunnelClientId !== c.id || !f.enabled) continue
      const covered = allowedIps.some((n) => (n.includes('/') ? cidrContains(n, f.destinationIp) : false))
      const host = f.destinationIp.includes(':') ? `${f.destinationIp}/128` : `${f.destinationIp}/32`
      if (covered || claimed.has(host)) continue
      claimed.add(host)
      allowedIps.push(host)
    }
    peers.push({ name: c.name, publicKey: c.wgPublicKey, allowedIps, endpoint: null, persistentKeepalive: 0 })
  }
  const byId = new Map(input.clients.map((c) => [c.id, c]))
  return {
    mode: 'server',
    epoch: input.epoch,
    revision: input.revision,
    wireguard: { name: s.wgInterface, addresses, listenPort: s.wgPort, mtu: s.mtu, peers },
    publicInterface: s.publicInterface,
    publicIp: s.publicIp,
    tunnelNetworks: tunnelNetworks(s),
    forwards: forwardStates(input.forwards, byId),
    // Devices' networks are masqueraded by the agent from vpn.deviceNetworks (full tunnel).
    masqueradeSources: [
      ...new Set(
        clients.filter((c) => c.isGateway && c.tunnelIp).flatMap((c) => [`${c.tunnelIp}/32`, ...c.lanNetworks]),
      ),
    ],
    vpn,
  }
}

function clientState(input: Extract<DesiredStateInput, { mode: 'client' }>): ClientState {
  const { client: c, server: s } = input
  const gateway = { enabled: c.isGateway, lanNetworks: c.lanNetworks, lanIp: c.lanIp }
  if (!s?.wgPublicKey || !c.tunnelIp)
    return {
      mode: 'client',
      epoch: input.epoch,
      revision: input.revision,
      wireguard: null,
      tunnelNetworks: [],
      inboundForwards: [],
      gateway,
      deviceNetworks: [],
    }

  const addresses = [`${c.tunnelIp}/${prefixOf(s.tunnelNetworkV4)}`]
  if (s.tunnelNetworkV6)
    addresses.push(`${v6TunnelIp(s.tunnelNetworkV6, s.tunnelNetworkV4, c.tunnelIp)}/${prefixOf(s.tunnelNetworkV6)}`)
  // Forwarded connections arrive from any public address (real client IP), and a gateway's LAN
  // gets replies from anywhere: WireGuard drops packets whose source is outside the allowed IPs,
  // so the server peer allows everything. The agent adds no routes from them (like Table = off).
  // Devices' IPv6 traffic comes through the tunnel too, also over an IPv4-only tunnel network.
  const allowedIps = s.tunnelNetworkV6 || s.deviceNetworkV6 ? ['0.0.0.0/0', '::/0'] : ['0.0.0.0/0']
  return {
    mode: 'client',
    epoch: input.epoch,
    revision: input.revision,
    wireguard: {
      name: s.wgInterface,
      addresses,
      listenPort: null,
      mtu: s.mtu,
      peers: [
        {
          name: s.name,
          publicKey: s.wgPublicKey,
          allowedIps,
          endpoint: endpointOf(s),
          persistentKeepalive: KEEPALIVE_SECONDS,
        },
      ],
    },
    tunnelNetworks: tunnelNetworks(s),
    inboundForwards: forwardStates(input.forwards, new Map([[c.id, c]])),
    gateway,
    // Devices of the server reach this site's networks; the agent masquerades them into the LAN.
    deviceNetworks: deviceNetworks(s),
  }
}

export function computeDesiredState(input: DesiredStateInput): DesiredState {
  return input.mode === 'server' ? serverState(input) : clientState(input)
}
