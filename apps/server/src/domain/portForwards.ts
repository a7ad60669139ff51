/**
 * Port forwards as changes to the model: create (one or a template's set, all or none), change,
 * enable/disable, delete. Every change takes its tunnel server's lock first, so the overlap
 * check and the write cannot interleave with another request's, and names the agents it affects.
 */
import { forwardRangeIssues, type PortForward, type ServiceTemplate } from '@wirewarp/protocol'
import type { PortForwardRow } from '../db/schema.ts'
import {
  clientNotOnServer,
  forwardOnWgPort,
  forwardOverlaps,
  invalidFields,
  notFound,
  templateNotFound,
  tunnelClientNotFound,
  tunnelServerNotFound,
} from '../errors.ts'
import { writeAudit } from '../store/auditLog.ts'
import { lockTunnelServer } from '../store/locks.ts'
import {
  deletePortForward as deleteRow,
  findOverlappingForward,
  getPortForward,
  insertPortForward,
  stampForwardRevision,
  toPortForward,
  updatePortForward as updateRow,
} from '../store/portForwards.ts'
import { getServiceTemplate, toServiceTemplate } from '../store/serviceTemplates.ts'
import { getTunnelClient } from '../store/tunnelClients.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'
import type { Tx } from './change.ts'

export type ForwardFields = Omit<PortForwardRow, 'id' | 'createdAt' | 'updatedAt' | 'changedRevision'>

const protocolNames = { tcp: 'TCP', udp: 'UDP', both: 'TCP and UDP' } as const

/** How people recognise a forward: its description and ports, `"Minecraft" (TCP 25565)`, or `TCP 25565` (never its id). */
export function describeForward(
  f: Pick<PortForwardRow, 'protocol' | 'publicPort' | 'publicPortEnd' | 'description'>,
): string {
  const ports =
    f.publicPortEnd && f.publicPortEnd !== f.publicPort ? `${f.publicPort}–${f.publicPortEnd}` : `${f.publicPort}`
  const what = `${protocolNames[f.protocol]} ${ports}`
  return f.description ? `"${f.description}" (${what})` : what
}

/**
 * Takes the server's lock, then checks a whole forward against the database: both ends exist
 * and belong together, and its ports are free. Returns the agents whose state it touches.
 */
async function lockAndCheck(tx: Tx, f: ForwardFields, exceptId?: string): Promise<string[]> {
  const issues = forwardRangeIssues(f)
  if (issues.length > 0) throw invalidFields(Object.fromEntries(issues.map((i) => [i.path, i.message])))
  if (!(await lockTunnelServer(tx.db, f.tunnelServerId))) throw tunnelServerNotFound()
  const server = (await getTunnelServer(tx.db, f.tunnelServerId))!
  const client = await getTunnelClient(tx.db, f.tunnelClientId)
  if (!client) throw tunnelClientNotFound()
  if (client.tunnelServerId !== server.id) throw clientNotOnServer(client.name, server.name)

  const end = f.publicPortEnd ?? f.publicPort
  if (f.protocol !== 'tcp' && f.publicPort <= server.wgPort && server.wgPort <= end)
    throw forwardOnWgPort(server.wgPort, server.name)
  const other = await findOverlappingForward(tx.db, f, exceptId)
  if (other) throw forwardOverlaps(describeForward(other), server.name)
  return [server.agentId, client.agentId]
}

export async function createPortForward(tx: Tx, fields: ForwardFields): Promise<PortForward> {
  const agents = await lockAndCheck(tx, fields)
  const row = await insertPortForward(tx.db, fields)
  await tx.affect(agents)
  await stampForwardRevision(tx.db, [row.id], fields.tunnelServerId)
  await writeAudit(tx.db, tx.actor, 'port_forward.create', { type: 'port_forward', id: row.id }, fields)
  return toPortForward(row)
}

export interface FromTemplate {
  templateId: string
  tunnelServerId: string
  tunnelClientId: string
  destinationIp: string
  enabled: boolean
  preserveClientIp: boolean
}

/** The forwards of a service template on one server: all of them or, on any conflict, none. */
export async function createPortForwardsFromTemplate(tx: Tx, b: FromTemplate): Promise<PortForward[]> {
  const t = await getServiceTemplate(tx.db, b.templateId)
  if (!t) throw templateNotFound()
  const template: ServiceTemplate = toServiceTemplate(t)
  const rows: PortForwardRow[] = []
  const agents = new Set<string>()
  for (const p of template.ports) {
    const fields: ForwardFields = {
      tunnelServerId: b.tunnelServerId,
      tunnelClientId: b.tunnelClientId,
      protocol: p.protocol,
      publicPort: p.port,
      publicPortEnd: p.portEnd ?? null,
      destinationIp: b.destinationIp,
      destinationPort: p.port,
      description: template.name.slice(0, 200),
      enabled: b.enabled,
      preserveClientIp: b.preserveClientIp,
    }
    // Checked one by one after each insert, so ports within the template cannot collide either.
    for (const a of await lockAndCheck(tx, fields)) agents.add(a)
    rows.push(await insertPortForward(tx.db, fields))
  }
  await tx.affect(agents)
  await stampForwardRevision(
    tx.db,
    rows.map((r) => r.id),
    b.tunnelServerId,
  )
  await writeAudit(
    tx.db,
    tx.actor,
    'port_forward.create_from_template',
    { type: 'service_template', id: t.id },
    { template: template.name, tunnelServerId: b.tunnelServerId, forwardIds: rows.map((r) => r.id) },
  )
  return rows.map(toPortForward)
}

/** Changes some fields of a forward (`action` names it in the audit log: update, enable, disable). */
export async function changePortForward(
  tx: Tx,
  id: string,
  patch: Partial<Omit<ForwardFields, 'tunnelServerId'>>,
  action: 'port_forward.update' | 'port_forward.enable' | 'port_forward.disable',
): Promise<PortForward> {
  // The forward's server never changes: lock it, then read the forward as it is now.
  const found = await getPortForward(tx.db, id)
  if (!found) throw notFound('Port forward')
  await lockTunnelServer(tx.db, found.tunnelServerId)
  const before = await getPortForward(tx.db, id)
  if (!before) throw notFound('Port forward')
  const { id: _id, createdAt: _c, updatedAt: _u, changedRevision: _r, ...current } = before
  const after: ForwardFields = { ...current, ...patch }
  const agents = await lockAndCheck(tx, after, before.id)
  const previousClient = await getTunnelClient(tx.db, before.tunnelClientId)
  await updateRow(tx.db, before.id, patch)
  await tx.affect([...agents, previousClient?.agentId])
  await stampForwardRevision(tx.db, [before.id], before.tunnelServerId)
  await writeAudit(tx.db, tx.actor, action, { type: 'port_forward', id: before.id }, patch)
  return toPortForward((await getPortForward(tx.db, before.id))!)
}

export async function deletePortForward(tx: Tx, id: string): Promise<void> {
  const f = await getPortForward(tx.db, id)
  if (!f) throw notFound('Port forward')
  await lockTunnelServer(tx.db, f.tunnelServerId)
  const server = await getTunnelServer(tx.db, f.tunnelServerId)
  const client = await getTunnelClient(tx.db, f.tunnelClientId)
  await deleteRow(tx.db, f.id)
  await tx.affect([server?.agentId, client?.agentId])
  await writeAudit(
    tx.db,
    tx.actor,
    'port_forward.delete',
    { type: 'port_forward', id: f.id },
    { protocol: f.protocol, publicPort: f.publicPort, publicPortEnd: f.publicPortEnd },
  )
}
