/** Agents: the hosts that run wirewarp-agent, with their status and desired/applied revisions. */
import {
  type Agent,
  type AgentFacts,
  type AgentRepair,
  type AgentUpdateOutcome,
  type DriftReport,
  HostFacts,
  V1_COMMANDS,
  type VersionInfo,
} from '@wirewarp/protocol'
import { z } from 'zod'
import type { Db } from '../db/database.ts'
import type { AgentRow } from '../db/schema.ts'
import { compareVersions } from '../releases/compareVersions.ts'
import { epochSubquery } from './epoch.ts'
import { JsonObject, newId, nowIso, page, parseJsonColumn, StringList } from './rows.ts'

/** The last_repair column: the report without its time (that is last_repair_at). */
const StoredRepair = z.object({
  ok: z.boolean(),
  items: z.array(z.object({ what: z.string(), detail: z.string() })),
  error: z.string().nullable(),
})

type AgentWithLinks = AgentRow & { tunnelServerId: string | null; tunnelClientId: string | null }

/** The newest agent version per architecture, as the release catalogue offers them. */
export type LatestVersions = VersionInfo['agents']

/**
 * Which build an agent runs, and so which release file it updates to: the single executable for
 * its architecture, or the .mjs bundle (which agents 0.1.0, saying nothing of their install, ran).
 */
export function releaseTarget(row: Pick<AgentRow, 'arch' | 'host'>): 'x64' | 'arm64' | 'any' | null {
  const install = parseJsonColumn(row.host, HostFacts.nullable(), null)?.install ?? 'unknown'
  if (install === 'executable') return row.arch === 'x64' || row.arch === 'arm64' ? row.arch : null
  return 'any'
}

function isLower(version: string | null, than: string | null): boolean {
  if (version === null || than === null) return false
  try {
    return compareVersions(version, than) < 0
  } catch {
    return false
  }
}

export function updateOutcome(row: AgentRow): AgentUpdateOutcome | null {
  if (!row.updateState || !row.updateTo || !row.updateAt) return null
  return {
    state: row.updateState,
    from: row.updateFrom ?? 'unknown',
    to: row.updateTo,
    reason: row.updateReason,
    at: row.updateAt,
  }
}

export function lastRepair(row: Pick<AgentRow, 'lastRepair' | 'lastRepairAt'>): AgentRepair | null {
  if (!row.lastRepairAt) return null
  const r = parseJsonColumn(row.lastRepair, StoredRepair.nullable(), null)
  return r && { at: row.lastRepairAt, ...r }
}

/** The agent as the API shows it; `latest` (the catalogue's newest versions) fills latestVersion and outdated. */
export function toAgent(row: AgentWithLinks, latest?: LatestVersions): Agent {
  const target = releaseTarget(row)
  const latestVersion = (target && latest?.[target]) ?? null
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
    latestVersion,
    outdated: isLower(row.version, latestVersion),
    holdVersion: row.holdVersion,
    update: updateOutcome(row),
    lastRepair: lastRepair(row),
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

export function listAgents(db: Db, opts: { limit: number; offset: number }, latest?: LatestVersions) {
  return page(selectAgents(db).orderBy('agents.name').orderBy('agents.id'), opts, (r) => toAgent(r, latest))
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
    holdVersion: false,
    updateState: null,
    updateFrom: null,
    updateTo: null,
    updateReason: null,
    updateAt: null,
    lastRepairAt: null,
    lastRepair: null,
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

/** Stores a drift repair an agent reported as its last one; false when the agent is gone. */
export async function recordRepair(db: Db, id: string, at: string, report: Omit<DriftReport, 'at'>): Promise<boolean> {
  const stored: z.infer<typeof StoredRepair> = { ok: report.ok, items: report.items, error: report.error ?? null }
  const r = await db
    .updateTable('agents')
    .set({ lastRepairAt: at, lastRepair: JSON.stringify(stored) })
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
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

/** Agents "update all outdated" may take: not held, by name (the hub knows which are connected to it). */
export function listUpdateCandidates(db: Db): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().where('holdVersion', '=', false).orderBy('name').orderBy('id').execute()
}

export async function setHoldVersion(db: Db, id: string, hold: boolean): Promise<boolean> {
  const r = await db.updateTable('agents').set({ holdVersion: hold }).where('id', '=', id).executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/**
 * Claims the agent for an update from `from` to `to`: one conditional UPDATE, so that of two
 * servers (or two batches) trying at once exactly one wins. Refused while another update of it
 * is under way and younger than `staleBefore`, or when its version is no longer `from`.
 */
export async function claimUpdate(
  db: Db,
  id: string,
  u: { from: string; to: string; at: string; staleBefore: string },
): Promise<boolean> {
  const r = await db
    .updateTable('agents')
    .set({ updateState: 'updating', updateFrom: u.from, updateTo: u.to, updateReason: null, updateAt: u.at })
    .where('id', '=', id)
    .where('version', '=', u.from)
    .where((eb) =>
      eb.or([
        eb('updateState', 'is', null),
        eb('updateState', '!=', 'updating'),
        eb('updateAt', 'is', null),
        eb('updateAt', '<', u.staleBefore),
      ]),
    )
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/** Records how an update ended; when `onlyIfUpdatingTo` is given, only while that update is still the open one. */
export async function finishUpdate(
  db: Db,
  id: string,
  o: { state: 'confirmed' | 'rolled_back' | 'failed'; from: string; to: string; reason: string | null; at: string },
  onlyIfUpdatingTo?: string,
): Promise<boolean> {
  let q = db
    .updateTable('agents')
    .set({ updateState: o.state, updateFrom: o.from, updateTo: o.to, updateReason: o.reason, updateAt: o.at })
    .where('id', '=', id)
  if (onlyIfUpdatingTo !== undefined)
    q = q.where('updateState', '=', 'updating').where('updateTo', '=', onlyIfUpdatingTo)
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/** Agents that say they run a command (their commands column, a JSON array, names it). */
export function announcesCommand(row: Pick<AgentRow, 'commands'>, command: string): boolean {
  return parseJsonColumn(row.commands, StringList, []).includes(command)
}
