/** Tunnel servers: the server-mode half of an agent (a VPS with a public address and the WireGuard hub). */
import type { TunnelServer } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { TunnelServerRow } from '../db/schema.ts'
import { newId, nowIso, page, parseJsonColumn, StringList } from './rows.ts'

type Row = TunnelServerRow & { status: 'pending' | 'connected' | 'disconnected'; agentAddress: string | null }

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
