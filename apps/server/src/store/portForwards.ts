/** Port forwards: public ports on a tunnel server that lead through the tunnel to a destination. */
import type { ForwardProtocol, PortForward } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { PortForwardRow } from '../db/schema.ts'
import { newId, nowIso, page } from './rows.ts'

export function toPortForward(row: PortForwardRow): PortForward {
  return {
    id: row.id,
    tunnelServerId: row.tunnelServerId,
    tunnelClientId: row.tunnelClientId,
    protocol: row.protocol,
    publicPort: row.publicPort,
    publicPortEnd: row.publicPortEnd,
    destinationIp: row.destinationIp,
    destinationPort: row.destinationPort,
    description: row.description,
    enabled: row.enabled,
    preserveClientIp: row.preserveClientIp,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

export function listPortForwards(
  db: Db,
  opts: { limit: number; offset: number; tunnelServerId?: string | undefined; tunnelClientId?: string | undefined },
) {
  let q = db.selectFrom('portForwards').selectAll()
  if (opts.tunnelServerId) q = q.where('tunnelServerId', '=', opts.tunnelServerId)
  if (opts.tunnelClientId) q = q.where('tunnelClientId', '=', opts.tunnelClientId)
  return page(q.orderBy('publicPort').orderBy('protocol').orderBy('id'), opts, toPortForward)
}

export function getPortForward(db: Db, id: string): Promise<PortForwardRow | undefined> {
  return db.selectFrom('portForwards').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Protocols that share a port with `p`: "both" takes tcp and udp. */
export function overlappingProtocols(p: ForwardProtocol): ForwardProtocol[] {
  return p === 'both' ? ['tcp', 'udp', 'both'] : [p, 'both']
}

/** The first forward on the same server whose protocol and port range overlap, other than `exceptId`. */
export function findOverlappingForward(
  db: Db,
  f: { tunnelServerId: string; protocol: ForwardProtocol; publicPort: number; publicPortEnd: number | null },
  exceptId?: string,
): Promise<PortForwardRow | undefined> {
  const end = f.publicPortEnd ?? f.publicPort
  let q = db
    .selectFrom('portForwards')
    .selectAll()
    .where('tunnelServerId', '=', f.tunnelServerId)
    .where('protocol', 'in', overlappingProtocols(f.protocol))
    .where('publicPort', '<=', end)
    .where((eb) => eb(eb.fn.coalesce('publicPortEnd', 'publicPort'), '>=', f.publicPort))
  if (exceptId) q = q.where('id', '!=', exceptId)
  return q.orderBy('publicPort').limit(1).executeTakeFirst()
}

export async function insertPortForward(
  db: Db,
  f: Omit<PortForwardRow, 'id' | 'createdAt' | 'updatedAt' | 'changedRevision'>,
): Promise<PortForwardRow> {
  const t = nowIso()
  const row: PortForwardRow = { id: newId(), ...f, changedRevision: 0, createdAt: t, updatedAt: t }
  await db.insertInto('portForwards').values(row).execute()
  return row
}

export async function updatePortForward(
  db: Db,
  id: string,
  patch: Partial<Omit<PortForwardRow, 'id' | 'createdAt' | 'updatedAt' | 'tunnelServerId' | 'changedRevision'>>,
): Promise<void> {
  await db
    .updateTable('portForwards')
    .set({ ...patch, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function deletePortForward(db: Db, id: string): Promise<void> {
  await db.deleteFrom('portForwards').where('id', '=', id).execute()
}

/** Records that these forwards change with the server agent's current desired revision. */
export async function stampForwardRevision(db: Db, forwardIds: string[], tunnelServerId: string): Promise<void> {
  if (forwardIds.length === 0) return
  const agent = await db
    .selectFrom('tunnelServers')
    .innerJoin('agents', 'agents.id', 'tunnelServers.agentId')
    .select('agents.desiredRevision')
    .where('tunnelServers.id', '=', tunnelServerId)
    .executeTakeFirst()
  if (!agent) return
  await db
    .updateTable('portForwards')
    .set({ changedRevision: Number(agent.desiredRevision) })
    .where('id', 'in', forwardIds)
    .execute()
}

/** Each forward of a server with the server agent's revision that last changed it. */
export function listForwardRevisions(db: Db, tunnelServerId: string) {
  return db
    .selectFrom('portForwards')
    .select(['id', 'changedRevision'])
    .where('tunnelServerId', '=', tunnelServerId)
    .execute()
}
