/** Agents: the hosts that run wirewarp-agent, with their status and desired/applied revisions. */
import { type Agent, type AgentFacts, HostFacts, V1_COMMANDS } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { AgentRow } from '../db/schema.ts'
import { epochSubquery } from './epoch.ts'
import { JsonObject, newId, nowIso, page, parseJsonColumn, StringList } from './rows.ts'

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
    capabilities: parseJsonColumn(row.capabilities, JsonObject, {}),
    desiredRevision: Number(row.desiredRevision),
    appliedRevision: Number(row.appliedRevision),
    lastApplyError: row.lastApplyError,
    lastAppliedAt: row.lastAppliedAt,
    lastSeenAt: row.lastSeenAt,
    createdAt: row.createdAt,
    tunnelServerId: row.tunnelServerId,
    tunnelClientId: row.tunnelClientId,
    commands: parseJsonColumn(row.commands, StringList, []),
    keyConflict: row.keyConflict,
    host: parseJsonColumn(row.host, HostFacts.nullable(), null),
    uninstalledAt: row.uninstalledAt,
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
    appliedEpoch: '',
    commands: JSON.stringify(V1_COMMANDS),
    keyConflict: null,
    host: null,
    uninstalledAt: null,
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

/** A server that just started holds no sockets: whatever a previous process left "connected" is not. */
export async function markAllDisconnected(db: Db): Promise<void> {
  await db.updateTable('agents').set({ status: 'disconnected' }).where('status', '=', 'connected').execute()
}

export async function markDisconnected(db: Db, ids: string[], at: string): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('agents').set({ status: 'disconnected', lastSeenAt: at }).where('id', 'in', ids).execute()
}

/** What hello checks: the agent's kind, credential hash and desired revision. */
export function findAgentCredential(db: Db, id: string) {
  return db
    .selectFrom('agents')
    .select(['id', 'kind', 'credentialHash', 'desiredRevision'])
    .where('id', '=', id)
    .executeTakeFirst()
}

/** The columns an agent's facts (register, hello) fill, and the address it came from. */
function factColumns(facts: AgentFacts, publicIp: string) {
  return {
    hostname: facts.hostname,
    version: facts.version,
    os: facts.os,
    arch: facts.arch,
    capabilities: JSON.stringify(facts.capabilities),
    host: facts.host ? JSON.stringify(facts.host) : null,
    publicIp,
  }
}

/** Stores what an agent said in hello and marks it connected. */
export async function recordHello(
  db: Db,
  id: string,
  h: { facts: AgentFacts; publicIp: string; appliedRevision: number; appliedEpoch: string; commands: string[] },
): Promise<void> {
  await db
    .updateTable('agents')
    .set({
      ...factColumns(h.facts, h.publicIp),
      appliedRevision: h.appliedRevision,
      appliedEpoch: h.appliedEpoch,
      commands: JSON.stringify(h.commands),
      status: 'connected',
      lastSeenAt: nowIso(),
      // An agent that says hello is installed (again), whatever it said before.
      uninstalledAt: null,
    })
    .where('id', '=', id)
    .execute()
}

/** Notes that the agent removed itself from its host (it reported a successful uninstall). */
export async function markUninstalled(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('agents').set({ uninstalledAt: at }).where('id', '=', id).execute()
}

export async function setKeyConflict(db: Db, id: string, conflict: string | null): Promise<void> {
  await db.updateTable('agents').set({ keyConflict: conflict }).where('id', '=', id).execute()
}

/**
 * Stores an agent's ack. A success raises the applied revision and never lowers it (a late ack
 * of an older revision changes nothing), and counts only for the current epoch (an ack that
 * names another epoch changes nothing); a failure is remembered as the last apply error.
 * Returns the desired revision and the epoch, so the caller can tell whether the agent is behind.
 */
export async function recordApplied(
  db: Db,
  id: string,
  ack: { revision: number; epoch: string | undefined; ok: boolean; error: string | null },
): Promise<{ desiredRevision: number; epoch: string } | undefined> {
  const at = nowIso()
  if (ack.ok) {
    let q = db
      .updateTable('agents')
      .set({ appliedRevision: ack.revision, appliedEpoch: ack.epoch ?? '', lastApplyError: null, lastAppliedAt: at })
      .where('id', '=', id)
      .where('appliedRevision', '<=', ack.revision)
    // Version 1 agents name no epoch: their acks count as of the current one.
    if (ack.epoch !== undefined) q = q.where((eb) => eb(epochSubquery(db), '=', ack.epoch!))
    await q.execute()
  } else
    await db
      .updateTable('agents')
      .set({ lastApplyError: ack.error ?? 'failed', lastAppliedAt: at })
      .where('id', '=', id)
      .execute()
  const row = await db
    .selectFrom('agents')
    .select('desiredRevision')
    .select(() => epochSubquery(db).as('epoch'))
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? { desiredRevision: Number(row.desiredRevision), epoch: row.epoch ?? '' } : undefined
}

/** Last-seen times collected since the previous flush, in one transaction. */
export async function writeLastSeen(db: Db, batch: [string, string][]): Promise<void> {
  if (batch.length === 0) return
  await db.transaction().execute(async (trx) => {
    for (const [id, at] of batch) await trx.updateTable('agents').set({ lastSeenAt: at }).where('id', '=', id).execute()
  })
}

/** A registered agent's credential, first desired revision and the facts it registered with. */
export async function completeRegistration(
  db: Db,
  id: string,
  r: { credentialHash: string; facts: AgentFacts; publicIp: string },
): Promise<void> {
  // Revision 1, so that the agent's first hello (applied revision 0) receives its state.
  await db
    .updateTable('agents')
    .set({ ...factColumns(r.facts, r.publicIp), credentialHash: r.credentialHash, desiredRevision: 1 })
    .where('id', '=', id)
    .execute()
}
