/** Tunnel servers: the server-mode half of an agent (a VPS with a public address and the WireGuard hub). */
import {
  type ClientSettings,
  DEFAULT_CLIENT_ALLOWED_IPS,
  DEFAULT_CLIENT_KEEPALIVE,
  DEFAULT_DEVICE_NETWORK_V4,
  type TunnelServer,
  type VpnServer,
} from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { TunnelServerRow } from '../db/schema.ts'
import { newId, nowIso, page, parseJsonColumn, StringList } from './rows.ts'

type Row = TunnelServerRow & { status: 'pending' | 'connected' | 'disconnected'; agentAddress: string | null }

/** The public IP and WireGuard port as a WireGuard endpoint (`[v6]:port` for IPv6); null without an IP. */
export function endpointFor(publicIp: string | null, wgPort: number): string | null {
  if (!publicIp) return null
  return publicIp.includes(':') ? `[${publicIp}]:${wgPort}` : `${publicIp}:${wgPort}`
}

/** What a device's config uses unless the device says otherwise. */
export function clientDefaultsOf(
  row: Pick<
    TunnelServerRow,
    'publicIp' | 'wgPort' | 'mtu' | 'dns' | 'clientEndpoint' | 'clientAllowedIps' | 'clientKeepalive' | 'clientMtu'
  >,
): ClientSettings {
  return {
    endpoint: row.clientEndpoint ?? endpointFor(row.publicIp, row.wgPort),
    dns: parseJsonColumn(row.dns, StringList, []),
    allowedIps: parseJsonColumn(row.clientAllowedIps, StringList, DEFAULT_CLIENT_ALLOWED_IPS),
    mtu: row.clientMtu ?? row.mtu,
    persistentKeepalive: row.clientKeepalive,
  }
}

export function toTunnelServer(row: Row): TunnelServer {
  return {
    id: row.id,
    agentId: row.agentId,
    name: row.name,
    status: row.status,
    publicIp: row.publicIp,
    agentAddress: row.agentAddress,
    publicInterface: row.publicInterface,
    wgPort: row.wgPort,
    wgInterface: row.wgInterface,
    wgPublicKey: row.wgPublicKey,
    tunnelNetworkV4: row.tunnelNetworkV4,
    tunnelNetworkV6: row.tunnelNetworkV6,
    mtu: row.mtu,
    dns: parseJsonColumn(row.dns, StringList, []),
    deviceNetworkV4: row.deviceNetworkV4,
    deviceNetworkV6: row.deviceNetworkV6,
    clientEndpoint: row.clientEndpoint,
    clientAllowedIps: parseJsonColumn(row.clientAllowedIps, StringList, DEFAULT_CLIENT_ALLOWED_IPS),
    clientKeepalive: row.clientKeepalive,
    clientMtu: row.clientMtu,
    clientDefaults: clientDefaultsOf(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

function selectServers(db: Db) {
  return db
    .selectFrom('tunnelServers')
    .innerJoin('agents', 'agents.id', 'tunnelServers.agentId')
    .selectAll('tunnelServers')
    .select(['agents.status', 'agents.publicIp as agentAddress'])
}

export function listTunnelServers(db: Db, opts: { limit: number; offset: number }) {
  return page(selectServers(db).orderBy('tunnelServers.name').orderBy('tunnelServers.id'), opts, toTunnelServer)
}

export function getTunnelServer(db: Db, id: string): Promise<Row | undefined> {
  return selectServers(db).where('tunnelServers.id', '=', id).executeTakeFirst()
}

export function getTunnelServerOfAgent(db: Db, agentId: string): Promise<TunnelServerRow | undefined> {
  return db.selectFrom('tunnelServers').selectAll().where('agentId', '=', agentId).executeTakeFirst()
}

export const DEFAULT_TUNNEL_SERVER = {
  wgPort: 51820,
  wgInterface: 'wg0',
  tunnelNetworkV4: '10.99.0.0/24',
  // 1500 minus WireGuard's worst-case overhead (80 bytes over IPv6): tunnelled packets never fragment.
  mtu: 1420,
} as const

export async function insertTunnelServer(
  db: Db,
  s: { agentId: string; name: string } & Partial<
    Omit<TunnelServerRow, 'id' | 'agentId' | 'name' | 'createdAt' | 'updatedAt'>
  >,
): Promise<TunnelServerRow> {
  const t = nowIso()
  const row: TunnelServerRow = {
    id: newId(),
    publicIp: null,
    publicInterface: null,
    wgPublicKey: null,
    tunnelNetworkV6: null,
    dns: '[]',
    deviceNetworkV4: DEFAULT_DEVICE_NETWORK_V4,
    deviceNetworkV6: null,
    clientEndpoint: null,
    clientAllowedIps: JSON.stringify(DEFAULT_CLIENT_ALLOWED_IPS),
    clientKeepalive: DEFAULT_CLIENT_KEEPALIVE,
    clientMtu: null,
    ...DEFAULT_TUNNEL_SERVER,
    ...s,
    createdAt: t,
    updatedAt: t,
  }
  await db.insertInto('tunnelServers').values(row).execute()
  return row
}

export async function updateTunnelServer(
  db: Db,
  id: string,
  patch: Partial<Omit<TunnelServerRow, 'id' | 'agentId' | 'createdAt' | 'updatedAt'>>,
): Promise<void> {
  await db
    .updateTable('tunnelServers')
    .set({ ...patch, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** Every tunnel server as users see it when they add a device. */
export async function listVpnServers(db: Db): Promise<VpnServer[]> {
  const rows = await db.selectFrom('tunnelServers').selectAll().orderBy('name').orderBy('id').execute()
  return rows.map((s) => ({
    id: s.id,
    name: s.name,
    ready: s.publicIp !== null && s.wgPublicKey !== null,
    clientDefaults: clientDefaultsOf(s),
  }))
}
