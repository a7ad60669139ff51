/**
 * Row types of every table, as Kysely sees them through CamelCasePlugin. Times are ISO 8601
 * strings in UTC on both dialects; JSON columns hold text; booleans are booleans in TypeScript
 * (SQLite stores 0/1, see sqliteBooleans.ts).
 */
import type { Generated, Selectable } from 'kysely'

export interface UsersTable {
  id: string
  email: string
  name: string
  passwordHash: string
  role: 'admin' | 'user'
  disabled: boolean
  createdAt: string
  updatedAt: string
  lastLoginAt: string | null
}

export interface SessionsTable {
  id: string
  tokenHash: string
  userId: string
  createdAt: string
  lastSeenAt: string
  expiresAt: string
  ip: string | null
  userAgent: string | null
}

export interface ApiTokensTable {
  id: string
  userId: string
  name: string
  tokenHash: string
  prefix: string
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface AgentsTable {
  id: string
  name: string
  kind: 'server' | 'client'
  status: 'pending' | 'connected' | 'disconnected'
  hostname: string | null
  version: string | null
  os: string | null
  arch: string | null
  publicIp: string | null
  capabilities: string
  credentialHash: string | null
  desiredRevision: number
  appliedRevision: number
  lastApplyError: string | null
  lastAppliedAt: string | null
  lastSeenAt: string | null
  createdAt: string
  /** The epoch of the applied revision ('' from agents of protocol version 1). */
  appliedEpoch: Generated<string>
  /** The commands the agent said it runs, as a JSON array. */
  commands: Generated<string>
  /** Why the WireGuard key the agent last claimed was refused (another peer holds it); null when none. */
  keyConflict: string | null
  /** What the host offers, as the JSON of HostFacts; null from older agents (0.1.0). */
  host: string | null
  /** When the agent uninstalled itself; null again once it says hello. */
  uninstalledAt: string | null
  /** Held at its version: "update all outdated" skips it. */
  holdVersion: Generated<boolean>
  /** The last self-update (all null until the first): updating, confirmed, rolled_back or failed. */
  updateState: 'updating' | 'confirmed' | 'rolled_back' | 'failed' | null
  updateFrom: string | null
  updateTo: string | null
  updateReason: string | null
  updateAt: string | null
  /** When the agent last reported a drift repair; null until it first did. */
  lastRepairAt: string | null
  /** That report, as JSON `{ok, items: [{what, detail}], error}`. */
  lastRepair: string | null
}

export interface RegistrationTokensTable {
  id: string
  name: string
  kind: 'server' | 'client'
  tokenHash: string
  tunnelServerId: string | null
  createdBy: string | null
  createdAt: string
  expiresAt: string
  usedAt: string | null
  usedByAgentId: string | null
  revokedAt: string | null
}

export interface TunnelServersTable {
  id: string
  agentId: string
  name: string
  publicIp: string | null
  publicInterface: string | null
  wgPort: number
  wgInterface: string
  wgPublicKey: string | null
  tunnelNetworkV4: string
  tunnelNetworkV6: string | null
  mtu: number
  dns: string
  deviceNetworkV4: string
  deviceNetworkV6: string | null
  clientEndpoint: string | null
  /** JSON array of CIDRs. */
  clientAllowedIps: string
  clientKeepalive: number
  clientMtu: number | null
  createdAt: string
  updatedAt: string
}

export interface TunnelClientsTable {
  id: string
  agentId: string
  name: string
  tunnelServerId: string | null
  tunnelIp: string | null
  wgPublicKey: string | null
  isGateway: boolean
  lanNetworks: string
  lanIp: string | null
  createdAt: string
  updatedAt: string
}

export interface PortForwardsTable {
  id: string
  tunnelServerId: string
  tunnelClientId: string
  protocol: 'tcp' | 'udp' | 'both'
  publicPort: number
  publicPortEnd: number | null
  destinationIp: string
  destinationPort: number
  description: string
  enabled: boolean
  preserveClientIp: boolean
  /** The server agent's desired revision that last changed this forward. */
  changedRevision: Generated<number>
  createdAt: string
  updatedAt: string
}

export interface ServiceTemplatesTable {
  id: string
  name: string
  description: string
  builtin: boolean
  ports: string
  createdAt: string
}

export interface CommandLogTable {
  id: string
  agentId: string
  command: string
  params: string
  status: 'pending' | 'success' | 'failed' | 'timeout'
  result: string | null
  error: string | null
  requestedBy: string | null
  createdAt: string
  finishedAt: string | null
}

export interface MetricsTable {
  id: Generated<number>
  agentId: string
  at: string
  data: string
}

export interface AuditLogTable {
  id: string
  at: string
  actorType: 'user' | 'token' | 'system' | 'agent' | 'anonymous'
  actorId: string | null
  actorEmail: string | null
  action: string
  targetType: string | null
  targetId: string | null
  summary: string
  ip: string | null
  userAgent: string | null
}

export interface SettingsTable {
  key: string
  value: string
  updatedAt: string
}

/** Named rows that transactions update first to take turns (a lock that works on both databases). */
export interface LocksTable {
  name: string
  n: number
}

/** Every WireGuard public key in use, with its one owner: its primary key is the uniqueness rule. */
export interface WireguardKeysTable {
  publicKey: string
  tunnelServerId: string | null
  tunnelClientId: string | null
  deviceId: Generated<string | null>
  createdAt: string
}

/** Failures counted per throttle key (see store/throttle.ts); times are epoch milliseconds. */
export interface ThrottleTable {
  key: string
  failures: number
  lastFailureAt: number
  expiresAt: number
}

/** A user's device: a peer of its tunnel server, addressed at `hostOffset` in the server's device networks. */
export interface DevicesTable {
  id: string
  userId: string
  tunnelServerId: string
  name: string
  description: string
  publicKey: string
  /** Sealed with the secret box; null: none. */
  presharedKey: string | null
  hostOffset: number
  endpoint: string | null
  /** JSON arrays; null: the server's default. */
  dns: string | null
  allowedIps: string | null
  mtu: number | null
  persistentKeepalive: number | null
  enabled: boolean
  changedRevision: Generated<number>
  createdAt: string
  updatedAt: string
}

export interface RulesTable {
  id: string
  action: 'accept' | 'drop'
  destination: string
  protocol: 'tcp' | 'udp' | null
  ports: string | null
  userId: string | null
  tunnelServerId: string | null
  description: string
  createdAt: string
  updatedAt: string
}

export interface DeviceStatsTable {
  deviceId: string
  latestHandshakeAt: string | null
  /** bigint on PostgreSQL: read back as strings. */
  rxBytes: number | string
  txBytes: number | string
  endpoint: string | null
  updatedAt: string
}

export interface DeviceTrafficTable {
  deviceId: string
  bucket: string
  rxBytes: number | string
  txBytes: number | string
}

export interface Database {
  users: UsersTable
  sessions: SessionsTable
  apiTokens: ApiTokensTable
  agents: AgentsTable
  registrationTokens: RegistrationTokensTable
  tunnelServers: TunnelServersTable
  tunnelClients: TunnelClientsTable
  portForwards: PortForwardsTable
  serviceTemplates: ServiceTemplatesTable
  commandLog: CommandLogTable
  metrics: MetricsTable
  auditLog: AuditLogTable
  settings: SettingsTable
  locks: LocksTable
  wireguardKeys: WireguardKeysTable
  throttle: ThrottleTable
  devices: DevicesTable
  rules: RulesTable
  deviceStats: DeviceStatsTable
  deviceTraffic: DeviceTrafficTable
}

/**
 * Every boolean column, by its name as rows carry it. SQLite stores them as 0/1;
 * sqliteBooleans.ts turns them back into booleans for every row read, so no mapper has to.
 */
export const BOOLEAN_COLUMNS: ReadonlySet<string> = new Set([
  'disabled',
  'isGateway',
  'enabled',
  'preserveClientIp',
  'builtin',
  'holdVersion',
])

export type UserRow = Selectable<UsersTable>
export type AgentRow = Selectable<AgentsTable>
export type TunnelServerRow = Selectable<TunnelServersTable>
export type TunnelClientRow = Selectable<TunnelClientsTable>
export type PortForwardRow = Selectable<PortForwardsTable>
export type DeviceRow = Selectable<DevicesTable>
export type RuleRow = Selectable<RulesTable>
