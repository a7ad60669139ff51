/** Firewall rules for users' devices: for one user or everyone, on one tunnel server or all. */
import type { Rule } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { RuleRow } from '../db/schema.ts'
import { newId, nowIso, page } from './rows.ts'

function selectRules(db: Db) {
  return db
    .selectFrom('rules')
    .leftJoin('users', 'users.id', 'rules.userId')
    .leftJoin('tunnelServers', 'tunnelServers.id', 'rules.tunnelServerId')
    .selectAll('rules')
    .select(['users.email as userEmail', 'tunnelServers.name as tunnelServerName'])
}

type RuleRecord = RuleRow & { userEmail: string | null; tunnelServerName: string | null }

export function toRule(r: RuleRecord): Rule {
  return {
    id: r.id,
    action: r.action,
    destination: r.destination,
    protocol: r.protocol,
    ports: r.ports,
    userId: r.userId,
    userEmail: r.userEmail,
    tunnelServerId: r.tunnelServerId,
    tunnelServerName: r.tunnelServerName,
    description: r.description,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

export function listRules(
  db: Db,
  opts: { limit: number; offset: number; userId?: string | undefined; tunnelServerId?: string | undefined },
) {
  let q = selectRules(db)
  if (opts.userId) q = q.where('rules.userId', '=', opts.userId)
  if (opts.tunnelServerId) q = q.where('rules.tunnelServerId', '=', opts.tunnelServerId)
  return page(q.orderBy('rules.createdAt').orderBy('rules.id'), opts, toRule)
}

export async function getRule(db: Db, id: string): Promise<Rule | undefined> {
  const r = await selectRules(db).where('rules.id', '=', id).executeTakeFirst()
  return r ? toRule(r) : undefined
}

/**
 * The rules that can apply on one tunnel server: those for it or for every server, for the given
 * users (or all users) and for everyone. Unordered: orderRules decides. The users are filtered
 * here, not in SQL: a server with tens of thousands of users would pass a database's parameter limit.
 */
export async function rulesForServer(db: Db, tunnelServerId: string, userIds?: string[]): Promise<Rule[]> {
  const rows = await selectRules(db)
    .where((eb) => eb.or([eb('rules.tunnelServerId', '=', tunnelServerId), eb('rules.tunnelServerId', 'is', null)]))
    .execute()
  const wanted = userIds ? new Set(userIds) : null
  return rows.filter((r) => r.userId === null || !wanted || wanted.has(r.userId)).map(toRule)
}

export type RuleFields = Omit<RuleRow, 'id' | 'createdAt' | 'updatedAt'>

export async function insertRule(db: Db, f: RuleFields): Promise<string> {
  const t = nowIso()
  const id = newId()
  await db
    .insertInto('rules')
    .values({ ...f, id, createdAt: t, updatedAt: t })
    .execute()
  return id
}

export async function updateRule(db: Db, id: string, patch: Partial<RuleFields>): Promise<void> {
  await db
    .updateTable('rules')
    .set({ ...patch, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function deleteRuleRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('rules').where('id', '=', id).execute()
}

/** The agents of every tunnel server (a rule for all servers, or the default policy, touches each). */
export async function allServerAgents(db: Db): Promise<string[]> {
  return (await db.selectFrom('tunnelServers').select('agentId').execute()).map((r) => r.agentId)
}
