/** Agents: the hosts that run wirewarp-agent, with their status and desired/applied revisions. */
import type { Agent } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { AgentRow } from '../db/schema.ts'
import { newId, nowIso, page, parseJson } from './rows.ts'

type AgentWithLinks = AgentRow & { tunnelServerId: string | null; tunnelClientId: string | null }

export function toAgent(row: AgentWithLinks): Agent {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    hostname: row.hostname,
    version: row.version,
    os: row.os,
    arch: row.arch,
    publicIp: row.publicIp,
    capabilities: parseJson(row.capabilities, {}),
    desiredRevision: Number(row.desiredRevision),
    appliedRevision: Number(row.appliedRevision),
    lastApplyError: row.lastApplyError,
    lastAppliedAt: row.lastAppliedAt,
    lastSeenAt: row.lastSeenAt,
    createdAt: row.createdAt,
    tunnelServerId: row.tunnelServerId,
    tunnelClientId: row.tunnelClientId,
  }
}

function selectAgents(db: Db) {
  return db
    .selectFrom('agents')
    .leftJoin('tunnelServers', 'tunnelServers.agentId', 'agents.id')
    .leftJoin('tunnelClients', 'tunnelClients.agentId', 'agents.id')
    .selectAll('agents')
    .select(['tunnelServers.id as tunnelServerId', 'tunnelClients.id as tunnelClientId'])
}

export function listAgents(db: Db, opts: { limit: number; offset: number }) {
  return page(selectAgents(db).orderBy('agents.name').orderBy('agents.id'), opts, toAgent)
}

export async function getAgent(db: Db, id: string): Promise<AgentWithLinks | undefined> {
  return selectAgents(db).where('agents.id', '=', id).executeTakeFirst()
}

export async function insertAgent(db: Db, a: { name: string; kind: 'server' | 'client' }): Promise<AgentRow> {
  const row: AgentRow = {
    id: newId(),
    name: a.name,
    kind: a.kind,
    status: 'pending',
    hostname: null,
    version: null,
    os: null,
    arch: null,
    publicIp: null,
    capabilities: '{}',
    credentialHash: null,
    desiredRevision: 0,
    appliedRevision: 0,
    lastApplyError: null,
    lastAppliedAt: null,
    lastSeenAt: null,
    createdAt: nowIso(),
  }
  await db.insertInto('agents').values(row).execute()
  return row
}

export async function deleteAgent(db: Db, id: string): Promise<void> {
  await db.deleteFrom('agents').where('id', '=', id).execute()
}

/**
 * Marks the agents' desired state as changed. The hub (agents issue) pushes the new revision to
 * every connected agent whose applied revision is behind.
 */
export async function bumpRevisions(db: Db, agentIds: Iterable<string | null | undefined>): Promise<void> {
  const ids = [...new Set([...agentIds].filter((x): x is string => typeof x === 'string'))]
  if (ids.length === 0) return
  await db
    .updateTable('agents')
    .set((eb) => ({ desiredRevision: eb('desiredRevision', '+', 1) }))
    .where('id', 'in', ids)
    .execute()
}
