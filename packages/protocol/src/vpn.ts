/**
 * The remote-access VPN as the API shows it: users' devices (stock WireGuard peers of a tunnel
 * server), firewall rules and their precedence, VPN settings, and the client config a device
 * runs. Shared by the server (which enforces the precedence) and the dashboard (which shows it).
 */
import { z } from 'zod'
import { Description, Id, Name, PageQuery, Timestamp, wholeNumber } from './common.ts'
import { WgKey } from './desiredState.ts'
import { Cidr, IpAddress, parseCidr } from './net.ts'

// ---- client config -----------------------------------------------------------------------------

/** `host:port` or `[v6]:port`, where the device sends its WireGuard packets. */
export const Endpoint = z
  .string({ error: 'Must be host:port, e.g. vpn.example.com:51820' })
  .max(261, { error: 'Must be at most 261 characters' })
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):([1-9]\d{0,4})$/, {
    error: 'Must be host:port, e.g. vpn.example.com:51820 or [2001:db8::1]:51820',
  })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, { error: 'The port must be from 1 to 65535' })

export const ClientDns = z.array(IpAddress).max(4, { error: 'At most 4 DNS servers' })
export const ClientAllowedIps = z
  .array(Cidr)
  .min(1, { error: 'Give at least one network, e.g. 0.0.0.0/0 for all traffic' })
  .max(64, { error: 'At most 64 networks' })
export const ClientMtu = wholeNumber(1280, 9000)
export const Keepalive = wholeNumber(0, 65535, 'seconds')

/** What a device's config says, each value either the device's own or its tunnel server's default. */
export const ClientSettings = z.object({
  endpoint: z.string().nullable().describe('Null while the tunnel server has no public IP'),
  dns: z.array(z.string()),
  allowedIps: z.array(z.string()),
  mtu: z.number().int(),
  persistentKeepalive: z.number().int().describe('Seconds; 0 = off'),
})
export type ClientSettings = z.infer<typeof ClientSettings>

/** A device's own values: null means "use the tunnel server's default". */
export const DeviceOverrides = z.object({
  endpoint: Endpoint.nullable(),
  dns: ClientDns.nullable(),
  allowedIps: ClientAllowedIps.nullable(),
  mtu: ClientMtu.nullable(),
  persistentKeepalive: Keepalive.nullable(),
})
export type DeviceOverrides = z.infer<typeof DeviceOverrides>

export const OVERRIDE_FIELDS = ['endpoint', 'dns', 'allowedIps', 'mtu', 'persistentKeepalive'] as const

/** The values a device uses: its own where set, else the defaults. */
export function effectiveClientSettings(defaults: ClientSettings, o: Partial<DeviceOverrides>): ClientSettings {
  return {
    endpoint: o.endpoint ?? defaults.endpoint,
    dns: o.dns ?? defaults.dns,
    allowedIps: o.allowedIps ?? defaults.allowedIps,
    mtu: o.mtu ?? defaults.mtu,
    persistentKeepalive: o.persistentKeepalive ?? defaults.persistentKeepalive,
  }
}

export interface DeviceConfigInput {
  name: string
  /** Null when the server does not know it: the config says where it goes instead. */
  privateKey: string | null
  addresses: string[]
  serverPublicKey: string | null
  presharedKey: string | null
  settings: ClientSettings
}

/** The line that stands where the private key would, when the server does not know it. */
export const MISSING_PRIVATE_KEY_NOTE =
  '# PrivateKey = (not known to the server: the key was made on your device when it was added; put it here)'

/**
 * The device's `.conf`, as the stock WireGuard apps and `wg-quick` read it. Values come from
 * validated fields only (names are restricted, see `Name`), so nothing here can add a line.
 */
export function renderDeviceConfig(d: DeviceConfigInput): string {
  const s = d.settings
  const lines = [`# WireWarp device "${d.name}"`, '[Interface]']
  lines.push(d.privateKey ? `PrivateKey = ${d.privateKey}` : MISSING_PRIVATE_KEY_NOTE)
  lines.push(`Address = ${d.addresses.join(', ')}`)
  if (s.dns.length > 0) lines.push(`DNS = ${s.dns.join(', ')}`)
  lines.push(`MTU = ${s.mtu}`, '', '[Peer]')
  lines.push(
    d.serverPublicKey ? `PublicKey = ${d.serverPublicKey}` : '# PublicKey = (the tunnel server has no key yet)',
  )
  if (d.presharedKey) lines.push(`PresharedKey = ${d.presharedKey}`)
  lines.push(`AllowedIPs = ${s.allowedIps.join(', ')}`)
  lines.push(s.endpoint ? `Endpoint = ${s.endpoint}` : '# Endpoint = (the tunnel server has no public IP yet)')
  if (s.persistentKeepalive > 0) lines.push(`PersistentKeepalive = ${s.persistentKeepalive}`)
  return `${lines.join('\n')}\n`
}

/** A file name for the config: WireGuard apps name the tunnel after it (at most 15 characters). */
export function deviceConfigFileName(name: string): string {
  const base =
    name
      .replace(/[^A-Za-z0-9_=+.-]/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 15) || 'wirewarp'
  return `${base}.conf`
}

// ---- devices -----------------------------------------------------------------------------------

export const DeviceStats = z.object({
  online: z.boolean().describe('The last handshake is younger than 3 minutes'),
  latestHandshakeAt: Timestamp.nullable(),
  rxBytes: z.number().describe('Received by the tunnel server from the device'),
  txBytes: z.number().describe('Sent by the tunnel server to the device'),
  endpoint: z.string().nullable().describe('Where the device last sent from'),
  updatedAt: Timestamp.nullable(),
})
export type DeviceStats = z.infer<typeof DeviceStats>

export const Device = z.object({
  id: Id,
  userId: Id,
  userEmail: z.string(),
  tunnelServerId: Id,
  tunnelServerName: z.string(),
  name: z.string(),
  description: z.string(),
  publicKey: z.string(),
  hasPresharedKey: z.boolean(),
  ipv4: z.string(),
  ipv6: z.string().nullable(),
  enabled: z.boolean(),
  /** Why the device's peer is not on the tunnel server although it is enabled; null when it is. */
  inactiveReason: z.enum(['user_disabled']).nullable(),
  overrides: DeviceOverrides,
  settings: ClientSettings.describe('What the config uses: the overrides, else the defaults'),
  serverPublicKey: z.string().nullable(),
  stats: DeviceStats,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Device = z.infer<typeof Device>

const overrideInputs = {
  endpoint: Endpoint.nullable().optional().describe('Null or absent: the tunnel server default'),
  dns: ClientDns.nullable().optional(),
  allowedIps: ClientAllowedIps.nullable().optional(),
  mtu: ClientMtu.nullable().optional(),
  persistentKeepalive: Keepalive.nullable().optional(),
}

export const DeviceCreate = z
  .strictObject({
    name: Name,
    tunnelServerId: Id,
    description: Description.default(''),
    publicKey: WgKey.optional().describe("The device's public key; its private key never reaches the server"),
    generateKey: z
      .boolean()
      .optional()
      .describe('Instead of publicKey: the server makes the key pair and returns the private key once'),
    presharedKey: z.boolean().default(false).describe('Add a preshared key (returned in the config)'),
    userId: Id.optional().describe('Admins: create the device for this user'),
    ...overrideInputs,
  })
  .superRefine((v, ctx) => {
    if (v.publicKey === undefined && v.generateKey !== true)
      ctx.addIssue({
        code: 'custom',
        path: ['publicKey'],
        message: 'Give the device\'s public key, or set "generateKey": true for the server to make one',
      })
    if (v.publicKey !== undefined && v.generateKey === true)
      ctx.addIssue({ code: 'custom', path: ['generateKey'], message: 'Give either publicKey or generateKey, not both' })
  })
export type DeviceCreate = z.input<typeof DeviceCreate>

/** A device just made: the config is complete only here when the server made the key. */
export const DeviceCreated = Device.extend({
  privateKey: z.string().nullable().describe('Only when the server made the key; never stored, never shown again'),
  config: z.string().describe('The .conf; without the private key when the server does not know it'),
})
export type DeviceCreated = z.infer<typeof DeviceCreated>

export const DeviceUpdate = z.strictObject({
  name: Name.optional(),
  description: Description.optional(),
  enabled: z.boolean().optional(),
  ...overrideInputs,
})
export type DeviceUpdate = z.input<typeof DeviceUpdate>

export const DeviceKeyRotation = z
  .strictObject({
    publicKey: WgKey.optional(),
    generateKey: z.boolean().optional(),
    presharedKey: z.boolean().optional().describe('Make a new preshared key (true), drop it (false), or keep it'),
  })
  .superRefine((v, ctx) => {
    if ((v.publicKey === undefined) === (v.generateKey !== true))
      ctx.addIssue({
        code: 'custom',
        path: ['publicKey'],
        message: 'Give the new public key, or set "generateKey": true (not both)',
      })
  })
export type DeviceKeyRotation = z.input<typeof DeviceKeyRotation>

export const DeviceQuery = PageQuery.extend({
  userId: Id.optional().describe('Admins: the devices of one user (users always see only their own)'),
  tunnelServerId: Id.optional(),
})

/** A tunnel server as users see it when they add a device: enough to choose one, nothing more. */
export const VpnServer = z.object({
  id: Id,
  name: z.string(),
  /** False while the server cannot take devices yet (no public IP or no WireGuard key). */
  ready: z.boolean(),
  clientDefaults: ClientSettings,
})
export type VpnServer = z.infer<typeof VpnServer>

export const VpnServerList = z.object({ items: z.array(VpnServer) })

// ---- rules -------------------------------------------------------------------------------------

export const RuleAction = z.enum(['accept', 'drop'], { error: 'Must be "accept" or "drop"' })
export type RuleAction = z.infer<typeof RuleAction>
export const RuleProtocol = z.enum(['tcp', 'udp'], { error: 'Must be "tcp" or "udp"' })

/** "P" or "P-Q", 1–65535, P ≤ Q. */
export const PortRange = z
  .string({ error: 'Must be a port or a range such as 8000-8080' })
  .max(11)
  .regex(/^\d{1,5}(-\d{1,5})?$/, { error: 'Must be a port or a range such as 8000-8080' })
  .refine(
    (v) => {
      const [a, b = a] = v.split('-').map(Number) as [number, number?]
      return a >= 1 && b! <= 65535 && a <= b!
    },
    { error: 'Ports must be from 1 to 65535, the first not above the last' },
  )

export function parsePortRange(v: string): [number, number] {
  const [a, b] = v.split('-').map(Number)
  return [a!, b ?? a!]
}

export const Rule = z.object({
  id: Id,
  action: RuleAction,
  destination: z.string(),
  protocol: RuleProtocol.nullable(),
  ports: z.string().nullable(),
  userId: Id.nullable().describe('Null: everyone'),
  userEmail: z.string().nullable(),
  tunnelServerId: Id.nullable().describe('Null: every tunnel server'),
  tunnelServerName: z.string().nullable(),
  description: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Rule = z.infer<typeof Rule>

export const RuleCreate = z.strictObject({
  action: RuleAction,
  destination: Cidr.describe('An IPv4 or IPv6 network, e.g. 192.168.1.0/24 or 0.0.0.0/0'),
  protocol: RuleProtocol.nullable().optional().describe('Absent: any protocol'),
  ports: PortRange.nullable().optional().describe('Absent: all ports. Without protocol: TCP and UDP'),
  userId: Id.nullable().optional().describe('Absent: the rule is for everyone'),
  tunnelServerId: Id.nullable().optional().describe('Absent: every tunnel server'),
  description: Description.default(''),
})
export type RuleCreate = z.input<typeof RuleCreate>

export const RuleUpdate = z.strictObject({
  action: RuleAction.optional(),
  destination: Cidr.optional(),
  protocol: RuleProtocol.nullable().optional(),
  ports: PortRange.nullable().optional(),
  userId: Id.nullable().optional(),
  tunnelServerId: Id.nullable().optional(),
  description: Description.optional(),
})
export type RuleUpdate = z.input<typeof RuleUpdate>

export const RuleQuery = PageQuery.extend({
  userId: Id.optional().describe("A user's own rules (not everyone's)"),
  tunnelServerId: Id.optional(),
})

export interface RuleLike {
  id: string
  action: RuleAction
  destination: string
  protocol: 'tcp' | 'udp' | null
  ports: string | null
  userId: string | null
}

function portWidth(ports: string | null): number {
  if (ports === null) return 65536
  const [a, b] = parsePortRange(ports)
  return b - a + 1
}

/**
 * Orders rules as they are enforced, first match wins: a user's own rules before everyone's;
 * within each, the longest destination prefix first, then narrower ports (a protocol counts
 * as narrower than any), then `drop` before `accept`. Ties break on the id so the order is stable.
 * IPv4 and IPv6 rules never meet the same packet, so their prefixes are compared as is.
 */
export function compareRules(a: RuleLike, b: RuleLike): number {
  const own = (r: RuleLike) => (r.userId === null ? 1 : 0)
  const prefix = (r: RuleLike) => parseCidr(r.destination)?.prefix ?? 0
  const width = (r: RuleLike) => portWidth(r.ports) * (r.protocol === null ? 2 : 1)
  const action = (r: RuleLike) => (r.action === 'drop' ? 0 : 1)
  return (
    own(a) - own(b) || prefix(b) - prefix(a) || width(a) - width(b) || action(a) - action(b) || a.id.localeCompare(b.id)
  )
}

export function orderRules<T extends RuleLike>(rules: readonly T[]): T[] {
  return [...rules].sort(compareRules)
}

export const EffectiveRules = z.object({
  userId: Id,
  tunnelServerId: Id,
  rules: z.array(Rule).describe('In the order they are enforced; the first that matches decides'),
  defaultPolicy: RuleAction.describe('What happens when no rule matches'),
})
export type EffectiveRules = z.infer<typeof EffectiveRules>

// ---- settings ----------------------------------------------------------------------------------

export const VpnSettings = z.object({
  defaultPolicy: RuleAction.describe('When no rule matches a device\'s traffic: "accept" (as Firezone) or "drop"'),
  usersMayManageDevices: z.boolean().describe('Users who are not admins may add, rotate and delete their devices'),
  usersMayConfigureDevices: z
    .boolean()
    .describe("Users who are not admins may set their devices' endpoint, DNS, allowed IPs, MTU and keepalive"),
  maxDevicesPerUser: wholeNumber(0, 10_000).describe('0: no limit'),
})
export type VpnSettings = z.infer<typeof VpnSettings>

export const DEFAULT_VPN_SETTINGS: VpnSettings = {
  defaultPolicy: 'accept',
  usersMayManageDevices: true,
  usersMayConfigureDevices: true,
  maxDevicesPerUser: 10,
}

export const VpnSettingsUpdate = VpnSettings.partial().strict()
export type VpnSettingsUpdate = z.input<typeof VpnSettingsUpdate>

/** Where device networks start: CGNAT space, which home and office LANs do not use. */
export const DEFAULT_DEVICE_NETWORK_V4 = '100.96.0.0/16'
export const DEFAULT_CLIENT_ALLOWED_IPS = ['0.0.0.0/0', '::/0']
export const DEFAULT_CLIENT_KEEPALIVE = 25

/** A handshake younger than this means the device is online (WireGuard re-keys every 2 minutes). */
export const DEVICE_ONLINE_WITHIN_SECONDS = 180
