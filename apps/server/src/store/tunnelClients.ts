/** Tunnel clients: the client-mode half of an agent (a homelab host, optionally a LAN gateway). */
import type { TunnelClient } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { TunnelClientRow } from '../db/schema.ts'
import { newId, nowIso, page, parseJsonColumn, StringList } from './rows.ts'

type Row = TunnelClientRow & { status: 'pending' | 'connected' | 'disconnected' }

/** A client as stored; its tunnel state is worked out from its server's reports (domain/tunnelState.ts). */
export type TunnelClientRecord = Omit<TunnelClient, 'tunnel'>

export function toTunnelClient(row: Row): TunnelClientRecord {
  return {
    id: row.id,
    agentId: row.agentId,
    name: row.name,
    status: row.status,
    tunnelServerId: row.tunnelServerId,
    tunnelIp: row.tunnelIp,
    wgPublicKey: row.wgPublicKey,
    isGateway: row.isGateway,
    lanNetworks: parseJsonColumn(row.lanNetworks, StringList, []),
    lanIp: row.lanIp,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

function selectClients(db: Db) {
  return db
    .selectFrom('tunnelClients')
    .innerJoin('agents', 'agents.id', 'tunnelClients.agentId')
    .selectAll('tunnelClients')
    .select('agents.status')
}

export function listTunnelClients(
  db: Db,
  opts: { limit: number; offset: number; tunnelServerId?: string | undefined },
) {
  let q = selectClients(db)
  if (opts.tunnelServerId) q = q.where('tunnelClients.tunnelServerId', '=', opts.tunnelServerId)
  return page(q.orderBy('tunnelClients.name').orderBy('tunnelClients.id'), opts, toTunnelClient)
}

export function getTunnelClient(db: Db, id: string): Promise<Row | undefined> {
  return selectClients(db).where('tunnelClients.id', '=', id).executeTakeFirst()
}

/** Tunnel addresses already given out on one server. */
export async function usedTunnelIps(db: Db, tunnelServerId: string, exceptClientId?: string): Promise<Set<string>> {
  let q = db.selectFrom('tunnelClients').select('tunnelIp').where('tunnelServerId', '=', tunnelServerId)
  if (exceptClientId) q = q.where('id', '!=', exceptClientId)
  const rows = await q.execute()
  return new Set(rows.map((r) => r.tunnelIp).filter((x): x is string => x !== null))
}

export async function insertTunnelClient(
  db: Db,
  c: { agentId: string; name: string } & Partial<
    Omit<TunnelClientRow, 'id' | 'agentId' | 'name' | 'createdAt' | 'updatedAt'>
  >,
): Promise<TunnelClientRow> {
  const t = nowIso()
  const row: TunnelClientRow = {
    id: newId(),
    tunnelServerId: null,
    tunnelIp: null,
    wgPublicKey: null,
    isGateway: false,
    lanNetworks: '[]',
    lanIp: null,
    ...c,
    createdAt: t,
    updatedAt: t,
  }
  await db.insertInto('tunnelClients').values(row).execute()
  return row
}

export async function updateTunnelClient(
  db: Db,
  id: string,
  patch: Partial<Omit<TunnelClientRow, 'id' | 'agentId' | 'createdAt' | 'updatedAt'>>,
): Promise<void> {
  await db
    .updateTable('tunnelClients')
    .set({ ...patch, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** The agents of a tunnel server's clients. */
export async function agentIdsOfTunnelClients(db: Db, tunnelServerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tunnelClients')
    .select('agentId')
    .where('tunnelServerId', '=', tunnelServerId)
    .execute()
  return rows.map((r) => r.agentId)
}

/** The tunnel server a client is attached to, and that server's agent; undefined when detached. */
export function tunnelServerAgentOfClient(db: Db, tunnelClientId: string) {
  return db
    .selectFrom('tunnelClients')
    .innerJoin('tunnelServers', 'tunnelServers.id', 'tunnelClients.tunnelServerId')
    .select(['tunnelServers.id as tunnelServerId', 'tunnelServers.agentId'])
    .where('tunnelClients.id', '=', tunnelClientId)
    .executeTakeFirst()
}
