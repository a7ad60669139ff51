/**
 * The desired state of one agent: everything it must make true on its host, as one document
 * with a revision. The server computes it from the database; the agent persists it, renders it
 * into wg/nftables/ip configuration and applies it idempotently. Only public keys travel here:
 * an agent's private key never leaves its host.
 */
import { z } from 'zod'
import { Cidr, InterfaceName, IpAddress, Port } from './net.ts'

/** A WireGuard public key: 32 bytes in base64. */
export const WgKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, { error: 'Must be a WireGuard key (base64)' })
export type WgKey = z.infer<typeof WgKey>

export const WgPeer = z.object({
  /** Who the peer is, for people reading `wg show` or diagnostics. */
  name: z.string(),
  publicKey: WgKey,
  allowedIps: z.array(Cidr),
  /** host:port; absent for peers that connect to us. */
  endpoint: z.string().nullable(),
  /** Seconds; keeps NAT mappings open from behind CGNAT. 0 = off. */
  persistentKeepalive: z.number().int().min(0).max(65535),
})
export type WgPeer = z.infer<typeof WgPeer>

export const WgInterfaceState = z.object({
  name: InterfaceName,
  /** Addresses on the interface, with the tunnel network's prefix, e.g. 10.99.0.1/24. */
  addresses: z.array(z.string()),
  listenPort: Port.nullable(),
  mtu: z.number().int().min(1280).max(9000),
  peers: z.array(WgPeer),
})
export type WgInterfaceState = z.infer<typeof WgInterfaceState>

export const ForwardState = z.object({
  id: z.string(),
  protocol: z.enum(['tcp', 'udp', 'both']),
  publicPort: Port,
  publicPortEnd: Port.nullable(),
  destinationIp: IpAddress,
  destinationPort: Port,
  /** The tunnel address of the client that reaches the destination. */
  via: IpAddress,
  /** No SNAT on the VPS: the client routes replies back through the tunnel. */
  preserveClientIp: z.boolean(),
})
export type ForwardState = z.infer<typeof ForwardState>

/** A rule in a user's chain, already in the order it is enforced (the server orders them). */
export const VpnRuleState = z.object({
  action: z.enum(['accept', 'drop']),
  destination: Cidr,
  /** Null: any protocol (with ports: TCP and UDP). */
  protocol: z.enum(['tcp', 'udp']).nullable(),
  /** [first, last]; null: all ports. */
  ports: z.tuple([Port, Port]).nullable(),
})
export type VpnRuleState = z.infer<typeof VpnRuleState>

/** One enabled device of a user: a peer of the server's interface whose traffic goes through its user's rules. */
export const DeviceState = z.object({
  publicKey: WgKey,
  /** Reaches only the tunnel server's agent, which keeps it in a 0600 file. */
  presharedKey: WgKey.nullable(),
  /** The device's own addresses as host networks (a /32 and, with IPv6, a /128). */
  addresses: z.array(Cidr).min(1).max(2),
  /** The user whose chain the device's traffic passes. */
  user: z.uuid(),
})
export type DeviceState = z.infer<typeof DeviceState>

export const VpnState = z.object({
  /** The tunnel server's device networks: traffic from them passes the users' rules. */
  deviceNetworks: z.array(Cidr),
  /** When no rule of a user matches. */
  defaultPolicy: z.enum(['accept', 'drop']),
  /** Sorted by public key. */
  devices: z.array(DeviceState),
  /** Every user with a device here, with the rules for them in the order they are enforced. */
  users: z.array(z.object({ id: z.uuid(), rules: z.array(VpnRuleState) })),
})
export type VpnState = z.infer<typeof VpnState>

export const EMPTY_VPN_STATE: VpnState = { deviceNetworks: [], defaultPolicy: 'accept', devices: [], users: [] }

/**
 * The server's epoch: revisions only grow within one epoch, and an agent never applies a lower
 * revision than it applied in the same epoch. A new or restored database starts a new epoch.
 * States from servers before protocol version 2 carry none ('').
 */
const StateEpoch = z.string().max(64).default('')

export const ServerState = z.object({
  mode: z.literal('server'),
  epoch: StateEpoch,
  revision: z.number().int().min(0),
  wireguard: WgInterfaceState,
  /** The interface that faces the internet; forwards and masquerade hang off it. Null: detect. */
  publicInterface: InterfaceName.nullable(),
  publicIp: IpAddress.nullable(),
  tunnelNetworks: z.array(Cidr),
  /** Enabled forwards only: a disabled forward is absent, so applying removes it. */
  forwards: z.array(ForwardState),
  /** Source networks whose internet-bound traffic this server masquerades (gateway clients' LANs). */
  masqueradeSources: z.array(Cidr),
  /** Users' devices and their rules; absent from servers before the VPN (then none). */
  vpn: VpnState.default(EMPTY_VPN_STATE),
})
export type ServerState = z.infer<typeof ServerState>

export const ClientState = z.object({
  mode: z.literal('client'),
  epoch: StateEpoch,
  revision: z.number().int().min(0),
  /** Null while the client is not attached to a tunnel server: then nothing is configured. */
  wireguard: WgInterfaceState.nullable(),
  tunnelNetworks: z.array(Cidr),
  /** Forwards arriving through the tunnel to destinations this client reaches (for reply routing). */
  inboundForwards: z.array(ForwardState),
  gateway: z.object({
    enabled: z.boolean(),
    lanNetworks: z.array(Cidr),
    lanIp: IpAddress.nullable(),
  }),
  /**
   * The tunnel server's device networks: their traffic into this client's networks is
   * masqueraded, so LAN hosts answer without a route to them.
   */
  deviceNetworks: z.array(Cidr).default([]),
})
export type ClientState = z.infer<typeof ClientState>

export const DesiredState = z.discriminatedUnion('mode', [ServerState, ClientState])
export type DesiredState = z.infer<typeof DesiredState>
