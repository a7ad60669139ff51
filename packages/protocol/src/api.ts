/** Request and response bodies of the REST API (`/api/v1`), shared by the server and the dashboard. */
import { z } from 'zod'
import { HostFacts } from './agentProtocol.ts'
import {
  Description,
  Email,
  Id,
  Name,
  PageQuery,
  Password,
  Role,
  Timestamp,
  wholeNumber,
  wholeNumberParam,
} from './common.ts'
import { jsonDepthExceeds } from './jsonLimits.ts'
import { Cidr, InterfaceName, IpAddress, Port, TunnelNetwork4, TunnelNetwork6 } from './net.ts'
import { ReleaseVersion } from './releases.ts'
import { ClientAllowedIps, ClientDns, ClientMtu, ClientSettings, Endpoint, Keepalive } from './vpn.ts'

// ---- auth and users -------------------------------------------------------------------------

export const LoginRequest = z.strictObject({
  email: z.string().min(1, { error: 'Enter your email address' }).max(254),
  password: z.string().min(1, { error: 'Enter your password' }).max(256),
})
export type LoginRequest = z.infer<typeof LoginRequest>

export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
})
export type User = z.infer<typeof User>

/** A user as the admins' list shows them: with how many devices they have. */
export const UserListItem = User.extend({ devices: z.number().int() })
export type UserListItem = z.infer<typeof UserListItem>

export const UserCreate = z.strictObject({
  email: Email,
  name: Name,
  password: Password,
  role: Role.default('user'),
})
export type UserCreate = z.input<typeof UserCreate>

export const UserUpdate = z.strictObject({
  email: Email.optional(),
  name: Name.optional(),
  password: Password.optional().describe("A new password; ends the user's sessions"),
  revokeApiTokens: z
    .boolean()
    .optional()
    .describe("With `password`: also revoke the user's API tokens. Default true; only allowed with `password`"),
  role: Role.optional(),
  disabled: z.boolean().optional(),
})
export type UserUpdate = z.input<typeof UserUpdate>

export const PasswordChange = z.strictObject({
  currentPassword: z.string().min(1, { error: 'Enter your current password' }).max(256),
  newPassword: Password,
  revokeApiTokens: z.boolean().default(false).describe('Also revoke your API tokens (they are kept by default)'),
})
export type PasswordChange = z.input<typeof PasswordChange>

export const Me = User.extend({
  authMethod: z.enum(['session', 'token']),
})
export type Me = z.infer<typeof Me>

// ---- API tokens -------------------------------------------------------------------------------

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string().describe('First characters of the token, to tell tokens apart'),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
})
export type ApiToken = z.infer<typeof ApiToken>

export const ApiTokenCreate = z.strictObject({
  name: Name,
  expiresInDays: wholeNumber(1, 3650, 'days').optional().describe('Omit for a token that does not expire'),
})
export type ApiTokenCreate = z.input<typeof ApiTokenCreate>

export const ApiTokenCreated = ApiToken.extend({
  token: z.string().describe('Shown once: only its SHA-256 is stored'),
})
export type ApiTokenCreated = z.infer<typeof ApiTokenCreated>

// ---- agents and registration ------------------------------------------------------------------

export const AgentKind = z.enum(['server', 'client'])
export type AgentKind = z.infer<typeof AgentKind>
export const AgentStatus = z.enum(['pending', 'connected', 'disconnected'])
export type AgentStatus = z.infer<typeof AgentStatus>

/** An agent's last self-update: sent (updating), running the new version (confirmed), back on the old one, or refused. */
export const AgentUpdateOutcome = z.object({
  state: z.enum(['updating', 'confirmed', 'rolled_back', 'failed']),
  from: z.string(),
  to: z.string(),
  reason: z.string().nullable(),
  at: Timestamp,
})
export type AgentUpdateOutcome = z.infer<typeof AgentUpdateOutcome>

/** The last drift repair an agent reported: what it found changed on its host and put back. */
export const AgentRepair = z.object({
  at: Timestamp,
  /** False when a repair failed; `error` says why. */
  ok: z.boolean(),
  items: z.array(z.object({ what: z.string(), detail: z.string() })),
  error: z.string().nullable(),
})
export type AgentRepair = z.infer<typeof AgentRepair>

export const Agent = z.object({
  id: Id,
  name: z.string(),
  kind: AgentKind,
  status: AgentStatus,
  hostname: z.string().nullable(),
  version: z.string().nullable(),
  os: z.string().nullable(),
  arch: z.string().nullable(),
  publicIp: z.string().nullable(),
  capabilities: z.record(z.string(), z.unknown()),
  desiredRevision: z.number().int(),
  appliedRevision: z.number().int(),
  lastApplyError: z.string().nullable(),
  lastAppliedAt: Timestamp.nullable(),
  lastSeenAt: Timestamp.nullable(),
  createdAt: Timestamp,
  tunnelServerId: Id.nullable(),
  tunnelClientId: Id.nullable(),
  /** The commands this agent runs (older agents run fewer). */
  commands: z.array(z.string()),
  /** Why the WireGuard key the agent last presented was refused: another peer holds it. */
  keyConflict: z.string().nullable(),
  /** What the host offers (WireGuard kind, nftables, distribution, init system); null from older agents (0.1.0). */
  host: HostFacts.nullable(),
  /** When the agent uninstalled itself on the dashboard's command; null again once it says hello. */
  uninstalledAt: Timestamp.nullable(),
  /** The newest release for this agent's build (executable for its arch, or the .mjs bundle); null when none is offered. */
  latestVersion: z.string().nullable(),
  /** Its version is lower than latestVersion. */
  outdated: z.boolean(),
  /** Held at its version: "update all outdated" skips it. */
  holdVersion: z.boolean(),
  /** The last self-update and how it ended; null when it never updated itself. */
  update: AgentUpdateOutcome.nullable(),
  /** The last drift repair the agent reported; null when it never repaired anything. */
  lastRepair: AgentRepair.nullable(),
})
export type Agent = z.infer<typeof Agent>

export const AgentPatch = z.strictObject({
  holdVersion: z.boolean({ error: 'Must be true or false' }),
})
export type AgentPatch = z.infer<typeof AgentPatch>

export const AgentUpdateCreate = z.strictObject({
  /** A version from the releases; the newest for the agent's build when absent. */
  version: ReleaseVersion.optional(),
  /** How long the new version has to connect and apply its state before it is rolled back (default 120). */
  deadlineSeconds: z.int({ error: 'Must be a whole number of seconds' }).min(10).max(3600).optional(),
})
export type AgentUpdateCreate = z.infer<typeof AgentUpdateCreate>

export const AgentUpdateBatchCreate = z.strictObject({
  /** The pause between one agent's outcome and the next update (default 5). */
  staggerSeconds: z.int({ error: 'Must be a whole number of seconds' }).min(0).max(3600).default(5),
  deadlineSeconds: z.int({ error: 'Must be a whole number of seconds' }).min(10).max(3600).optional(),
})
export type AgentUpdateBatchCreate = z.infer<typeof AgentUpdateBatchCreate>

/** What "update all outdated" queued, in the order it updates them, one at a time. */
export const AgentUpdateBatch = z.object({
  queued: z.array(z.object({ agentId: Id, name: z.string(), from: z.string(), to: z.string() })),
})
export type AgentUpdateBatch = z.infer<typeof AgentUpdateBatch>

export const RegistrationTokenCreate = z
  .strictObject({
    kind: AgentKind,
    name: Name,
    tunnelServerId: Id.optional().describe('Client tokens only: the tunnel server the new client connects to'),
    expiresInHours: wholeNumber(1, 720, 'hours').default(24),
  })
  .refine((v) => v.kind === 'client' || v.tunnelServerId === undefined, {
    path: ['tunnelServerId'],
    error: 'Only a client token can name a tunnel server',
  })
export type RegistrationTokenCreate = z.input<typeof RegistrationTokenCreate>

export const RegistrationToken = z.object({
  id: Id,
  name: z.string(),
  kind: AgentKind,
  tunnelServerId: Id.nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  usedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  status: z.enum(['active', 'used', 'expired', 'revoked']),
})
export type RegistrationToken = z.infer<typeof RegistrationToken>

export const RegistrationTokenCreated = RegistrationToken.extend({
  token: z.string().describe('Shown once: only its SHA-256 is stored'),
  installCommand: z.string().describe('Paste on the host to install and register the agent'),
})
export type RegistrationTokenCreated = z.infer<typeof RegistrationTokenCreated>

// ---- tunnel servers and clients ----------------------------------------------------------------

export const TunnelServer = z.object({
  id: Id,
  agentId: Id,
  name: z.string(),
  status: AgentStatus,
  publicIp: z.string().nullable(),
  /** Where the server's agent last connected from: the likely public IP when none is set. */
  agentAddress: z.string().nullable(),
  publicInterface: z.string().nullable(),
  wgPort: Port,
  wgInterface: z.string(),
  wgPublicKey: z.string().nullable(),
  tunnelNetworkV4: z.string(),
  tunnelNetworkV6: z.string().nullable(),
  mtu: z.number().int(),
  dns: z.array(z.string()).describe("Devices' default DNS servers"),
  deviceNetworkV4: z.string().describe("Where users' devices get their IPv4 addresses"),
  deviceNetworkV6: z.string().nullable(),
  clientEndpoint: z.string().nullable().describe("Devices' default endpoint; null: the public IP and WireGuard port"),
  clientAllowedIps: z.array(z.string()),
  clientKeepalive: z.number().int(),
  clientMtu: z.number().int().nullable().describe("Null: the tunnel server's MTU"),
  /** What a new device's config uses unless the device says otherwise. */
  clientDefaults: ClientSettings,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type TunnelServer = z.infer<typeof TunnelServer>

export const Mtu = wholeNumber(1280, 9000)

export const TunnelServerUpdate = z.strictObject({
  name: Name.optional(),
  publicIp: IpAddress.nullable().optional(),
  publicInterface: InterfaceName.nullable().optional(),
  wgPort: Port.optional(),
  wgInterface: InterfaceName.optional(),
  tunnelNetworkV4: TunnelNetwork4.optional(),
  tunnelNetworkV6: TunnelNetwork6.nullable().optional(),
  mtu: Mtu.optional(),
  dns: ClientDns.optional(),
  deviceNetworkV4: TunnelNetwork4.optional(),
  deviceNetworkV6: TunnelNetwork6.nullable().optional(),
  clientEndpoint: Endpoint.nullable().optional().describe('Null: the public IP and WireGuard port'),
  clientAllowedIps: ClientAllowedIps.optional(),
  clientKeepalive: Keepalive.optional(),
  clientMtu: ClientMtu.nullable().optional().describe("Null: the tunnel server's MTU"),
})
export type TunnelServerUpdate = z.input<typeof TunnelServerUpdate>

/** A handshake younger than this (WireGuard re-keys every 2 minutes) means the tunnel carries traffic. */
export const TUNNEL_UP_WITHIN_SECONDS = 180

export const TunnelDownReason = z.enum([
  'no_server',
  'no_public_ip',
  'no_key',
  'server_agent_disconnected',
  'no_report',
  'never_handshaken',
  'handshake_stale',
])
export type TunnelDownReason = z.infer<typeof TunnelDownReason>

/** Whether a client's tunnel is up, from the handshakes its server's agent reports. */
export const TunnelState = z.object({
  state: z.enum(['up', 'down']),
  reason: TunnelDownReason.nullable().describe('Why it is down; null when up'),
  message: z.string().nullable().describe('The reason in words, e.g. "the server has no public IP"'),
  latestHandshakeAt: Timestamp.nullable(),
})
export type TunnelState = z.infer<typeof TunnelState>

export const TunnelClient = z.object({
  id: Id,
  agentId: Id,
  name: z.string(),
  status: AgentStatus,
  tunnelServerId: Id.nullable(),
  tunnelIp: z.string().nullable(),
  wgPublicKey: z.string().nullable(),
  isGateway: z.boolean(),
  lanNetworks: z.array(z.string()),
  lanIp: z.string().nullable(),
  tunnel: TunnelState,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type TunnelClient = z.infer<typeof TunnelClient>

export const TunnelClientUpdate = z.strictObject({
  name: Name.optional(),
  tunnelServerId: Id.nullable().optional(),
  tunnelIp: IpAddress.nullable().optional().describe('Omit when changing server to get a free address'),
  isGateway: z.boolean().optional(),
  lanNetworks: z.array(Cidr).max(32, { error: 'At most 32 networks' }).optional(),
  lanIp: IpAddress.nullable().optional(),
})
export type TunnelClientUpdate = z.input<typeof TunnelClientUpdate>

// ---- port forwards and templates ----------------------------------------------------------------

export const ForwardProtocol = z.enum(['tcp', 'udp', 'both'], { error: 'Must be "tcp", "udp" or "both"' })
export type ForwardProtocol = z.infer<typeof ForwardProtocol>

export const PortForward = z.object({
  id: Id,
  tunnelServerId: Id,
  tunnelClientId: Id,
  protocol: ForwardProtocol,
  publicPort: Port,
  publicPortEnd: Port.nullable(),
  destinationIp: z.string(),
  destinationPort: Port,
  description: z.string(),
  enabled: z.boolean(),
  preserveClientIp: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type PortForward = z.infer<typeof PortForward>

const forwardFields = {
  tunnelServerId: Id,
  tunnelClientId: Id,
  protocol: ForwardProtocol,
  publicPort: Port,
  publicPortEnd: Port.nullable()
    .optional()
    .describe('Last port of a range; the range maps onto one of the same length'),
  destinationIp: IpAddress,
  destinationPort: Port,
  description: Description.default(''),
  enabled: z.boolean().default(true),
  preserveClientIp: z.boolean().default(false),
}

/** Checks that apply to a whole forward, new or after an update. */
export function forwardRangeIssues(f: {
  publicPort: number
  publicPortEnd?: number | null | undefined
  destinationPort: number
}): { path: string; message: string }[] {
  const end = f.publicPortEnd ?? f.publicPort
  if (end < f.publicPort) return [{ path: 'publicPortEnd', message: 'Must not be lower than the public port' }]
  if (f.destinationPort + (end - f.publicPort) > 65535)
    return [{ path: 'destinationPort', message: 'The destination range would run past port 65535' }]
  return []
}

export const PortForwardCreate = z.strictObject(forwardFields).superRefine((v, ctx) => {
  for (const i of forwardRangeIssues(v)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message })
})
export type PortForwardCreate = z.input<typeof PortForwardCreate>

export const PortForwardUpdate = z.strictObject({
  tunnelClientId: Id.optional(),
  protocol: ForwardProtocol.optional(),
  publicPort: Port.optional(),
  publicPortEnd: Port.nullable().optional(),
  destinationIp: IpAddress.optional(),
  destinationPort: Port.optional(),
  description: Description.optional(),
  enabled: z.boolean().optional(),
  preserveClientIp: z.boolean().optional(),
})
export type PortForwardUpdate = z.input<typeof PortForwardUpdate>

export const PortForwardQuery = PageQuery.extend({
  tunnelServerId: Id.optional(),
  tunnelClientId: Id.optional(),
})

export const TemplatePort = z
  .strictObject({
    protocol: ForwardProtocol,
    port: Port,
    portEnd: Port.optional(),
  })
  .refine((p) => p.portEnd === undefined || p.portEnd >= p.port, {
    path: ['portEnd'],
    error: 'Must not be lower than the first port',
  })
export type TemplatePort = z.infer<typeof TemplatePort>

export const ServiceTemplate = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  builtin: z.boolean(),
  ports: z.array(TemplatePort),
  createdAt: Timestamp,
})
export type ServiceTemplate = z.infer<typeof ServiceTemplate>

const TemplatePorts = z
  .array(TemplatePort)
  .min(1, { error: 'Add at least one port' })
  .max(20, { error: 'At most 20 ports' })

export const ServiceTemplateCreate = z.strictObject({
  name: Name,
  description: Description.default(''),
  ports: TemplatePorts,
})
export type ServiceTemplateCreate = z.input<typeof ServiceTemplateCreate>

/** Custom templates only: a built-in one is refreshed on every start, so it is not edited. */
export const ServiceTemplateUpdate = z.strictObject({
  name: Name.optional(),
  description: Description.optional(),
  ports: TemplatePorts.optional().describe('Replaces the whole list'),
})
export type ServiceTemplateUpdate = z.input<typeof ServiceTemplateUpdate>

export const PortForwardFromTemplate = z.strictObject({
  templateId: Id,
  tunnelServerId: Id,
  tunnelClientId: Id,
  destinationIp: IpAddress,
  enabled: z.boolean().default(true),
  preserveClientIp: z.boolean().default(false),
})
export type PortForwardFromTemplate = z.input<typeof PortForwardFromTemplate>

export const PortForwardList = z.object({ items: z.array(PortForward) })

// ---- audit ------------------------------------------------------------------------------------------

export const AuditEntry = z.object({
  id: Id,
  at: Timestamp,
  actorType: z
    .enum(['user', 'token', 'system', 'agent', 'anonymous'])
    .describe('anonymous: nobody signed in (a failed sign-in)'),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  actorName: z.string().nullable().describe("The actor's email today (else as recorded), an agent's name, or null"),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetName: z
    .string()
    .nullable()
    .describe('The target by name: as it is called today, else as recorded when it was deleted, else a short id'),
  summary: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
})
export type AuditEntry = z.infer<typeof AuditEntry>

// Text filters match from the start, ignoring case: "port_forward." finds every forward change.
const auditPrefix = (what: string) =>
  z.string().max(64, { error: 'Must be at most 64 characters' }).optional().describe(`Prefix of ${what}`)

export const AuditQuery = PageQuery.extend({
  actorId: auditPrefix("the actor's id"),
  actor: auditPrefix("the actor's email"),
  action: auditPrefix('the action, e.g. "port_forward." for every forward change'),
  targetType: auditPrefix('the target type, e.g. "tunnel_" for servers and clients'),
  targetId: auditPrefix("the target's id"),
  target: auditPrefix("the target's name or id"),
  from: z.iso.datetime({ error: 'Must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' }).optional(),
  to: z.iso.datetime({ error: 'Must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' }).optional(),
})
export type AuditQuery = z.infer<typeof AuditQuery>

export const AuditActions = z.object({
  items: z.array(z.string()).describe('Every action the server writes, and any other found in the log, sorted'),
})
export type AuditActions = z.infer<typeof AuditActions>

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'error']),
  version: z.string(),
})

/** How deep a command's params may nest: the command frame around them adds two levels. */
export const COMMAND_PARAMS_DEPTH = 8

// ---- agent commands, metrics and live events ----------------------------------------------------------

export const CommandStatus = z.enum(['pending', 'success', 'failed', 'timeout'])
export type CommandStatus = z.infer<typeof CommandStatus>

export const CommandLogEntry = z.object({
  id: Id,
  agentId: Id,
  command: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: CommandStatus,
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  requestedBy: z.string().nullable().describe('Email of who asked, null for the system'),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
})
export type CommandLogEntry = z.infer<typeof CommandLogEntry>

export const CommandCreate = z.strictObject({
  command: z.enum(['ping', 'diagnostics', 'restart', 'uninstall', 'check_drift'], {
    error: 'Must be "ping", "diagnostics", "restart", "uninstall" or "check_drift"',
  }),
  params: z
    .record(z.string(), z.unknown())
    // The command travels to the agent inside a frame, which agents refuse past FRAME_LIMITS.maxDepth.
    .refine((p) => !jsonDepthExceeds(JSON.stringify(p), COMMAND_PARAMS_DEPTH), {
      error: `Must not nest objects and arrays more than ${COMMAND_PARAMS_DEPTH} levels deep`,
    })
    .default({}),
  timeoutSeconds: wholeNumber(1, 300, 'seconds').default(30),
  wait: z.boolean().default(false).describe('Answer only once the agent has answered or the command timed out'),
})
export type CommandCreate = z.input<typeof CommandCreate>

export const MetricPoint = z.object({ at: Timestamp, sample: z.record(z.string(), z.unknown()) })
export type MetricPoint = z.infer<typeof MetricPoint>
export const MetricPointList = z.object({ items: z.array(MetricPoint) })

export const MetricsQuery = z.strictObject({
  from: z.iso.datetime({ error: 'Must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' }).optional(),
  to: z.iso.datetime({ error: 'Must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' }).optional(),
  limit: wholeNumberParam(1, 10_000).default(2880),
})

/** Server-Sent Events on /api/v1/events: `event:` is the type, `data:` this JSON. */
export const LiveEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent'), agent: Agent }),
  z.object({ type: z.literal('agent_deleted'), agentId: Id }),
  z.object({ type: z.literal('command'), command: CommandLogEntry }),
])
export type LiveEvent = z.infer<typeof LiveEvent>

/** What a tunnel server's agent reports: applied revisions, its peers and per-forward traffic. */
export const TunnelServerStatus = z.object({
  agent: z.object({
    status: AgentStatus,
    desiredRevision: z.number().int(),
    appliedRevision: z.number().int(),
    lastApplyError: z.string().nullable(),
    lastAppliedAt: Timestamp.nullable(),
  }),
  /** When the peer and forward figures were sampled; null before the agent sent any. */
  sampledAt: Timestamp.nullable(),
  /** Whether the agent's driver reports WireGuard peers at all (a driver without WireGuard does not). */
  peersReported: z.boolean(),
  peers: z.array(
    z.object({
      tunnelClientId: Id.nullable(),
      name: z.string().nullable(),
      publicKey: z.string(),
      tunnelIp: z.string().nullable(),
      endpoint: z.string().nullable(),
      latestHandshakeAt: Timestamp.nullable(),
      rxBytes: z.number(),
      txBytes: z.number(),
    }),
  ),
  forwards: z.array(
    z.object({
      id: Id,
      /** The agent has applied the revision that last changed this forward. */
      applied: z.boolean(),
      packets: z.number().nullable(),
      bytes: z.number().nullable(),
    }),
  ),
})
export type TunnelServerStatus = z.infer<typeof TunnelServerStatus>

// ---- overview ---------------------------------------------------------------------------------

/**
 * One status per forward, as the port forwards page shows it: disabled; waiting for the agent
 * (`offline`: the server agent is not connected; `pending`: it has not applied the change yet);
 * `tunnel_down` (applied, but the client's tunnel is down); `working` (applied, and the tunnel is up).
 */
export const ForwardWorking = z.enum(['disabled', 'offline', 'pending', 'tunnel_down', 'working'])
export type ForwardWorking = z.infer<typeof ForwardWorking>

/** At most this many items in each "needs attention" list; the counts always cover everything. */
export const OVERVIEW_ATTENTION_LIMIT = 100

/** The admin's landing page: what is up, what is not, and why. */
export const Overview = z.object({
  agents: z.object({
    total: z.number().int(),
    connected: z.number().int(),
    /** Not connected, and not uninstalled. */
    disconnected: z.number().int(),
    /** Registered but never connected. */
    pending: z.number().int(),
    /** Removed from their host by the uninstall command (and not back since). */
    uninstalled: z.number().int(),
  }),
  /** Tunnel clients, by their tunnel state. */
  tunnels: z.object({ total: z.number().int(), up: z.number().int(), down: z.number().int() }),
  forwards: z.object({
    total: z.number().int(),
    working: z.number().int(),
    /** Enabled but not working: waiting for the agent, or the tunnel is down. */
    notWorking: z.number().int(),
    disabled: z.number().int(),
  }),
  attention: z.object({
    /** Agents that are not connected: disconnected, or registered and never connected. */
    agents: z.array(
      z.object({
        id: Id,
        name: z.string(),
        kind: AgentKind,
        status: AgentStatus,
        lastSeenAt: Timestamp.nullable(),
        tunnelServerId: Id.nullable(),
        tunnelClientId: Id.nullable(),
      }),
    ),
    /** Tunnel clients whose tunnel is down, with the reason. */
    tunnels: z.array(
      z.object({
        id: Id,
        name: z.string(),
        tunnelServerId: Id.nullable(),
        tunnelServerName: z.string().nullable(),
        reason: TunnelDownReason,
        message: z.string(),
      }),
    ),
    /** Enabled forwards that do not work, with the reason in words. */
    forwards: z.array(
      z.object({
        id: Id,
        tunnelServerId: Id,
        tunnelServerName: z.string(),
        tunnelClientId: Id,
        tunnelClientName: z.string().nullable(),
        protocol: ForwardProtocol,
        publicPort: Port,
        publicPortEnd: Port.nullable(),
        destinationIp: z.string(),
        destinationPort: Port,
        description: z.string(),
        state: z.enum(['offline', 'pending', 'tunnel_down']),
        message: z.string(),
      }),
    ),
  }),
})
export type Overview = z.infer<typeof Overview>
