/**
 * Firewall rules and the VPN settings as changes to the model. A rule reaches the agents of the
 * tunnel servers it holds on (one, or every one); so does the default policy.
 */
import type { Rule, RuleCreate, RuleUpdate, VpnSettings, VpnSettingsUpdate } from '@wirewarp/protocol'
import { ruleNotFound, tunnelServerNotFound, userNotFound } from '../errors.ts'
import { writeAudit } from '../store/auditLog.ts'
import { allServerAgents, deleteRuleRow, getRule, insertRule, type RuleFields, updateRule } from '../store/rules.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'
import { getUser } from '../store/users.ts'
import { getVpnSettings, updateVpnSettings } from '../store/vpnSettings.ts'
import type { Tx } from './change.ts'

async function agentsOf(tx: Tx, tunnelServerId: string | null): Promise<string[]> {
  if (tunnelServerId === null) return allServerAgents(tx.db)
  const s = await getTunnelServer(tx.db, tunnelServerId)
  return s ? [s.agentId] : []
}

async function checkRefs(tx: Tx, f: Pick<RuleFields, 'userId' | 'tunnelServerId'>): Promise<void> {
  if (f.userId !== null && !(await getUser(tx.db, f.userId))) throw userNotFound()
  if (f.tunnelServerId !== null && !(await getTunnelServer(tx.db, f.tunnelServerId))) throw tunnelServerNotFound()
}

export async function createRule(tx: Tx, b: RuleCreate & { description: string }): Promise<Rule> {
  const f: RuleFields = {
    action: b.action,
    destination: b.destination,
    protocol: b.protocol ?? null,
    ports: b.ports ?? null,
    userId: b.userId ?? null,
    tunnelServerId: b.tunnelServerId ?? null,
    description: b.description,
  }
  await checkRefs(tx, f)
  const id = await insertRule(tx.db, f)
  await tx.affect(await agentsOf(tx, f.tunnelServerId))
  await writeAudit(tx.db, tx.actor, 'rule.create', { type: 'rule', id }, f)
  return (await getRule(tx.db, id))!
}

export async function changeRule(tx: Tx, id: string, b: RuleUpdate): Promise<Rule> {
  const before = await getRule(tx.db, id)
  if (!before) throw ruleNotFound()
  const patch: Partial<RuleFields> = Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined))
  const after = { userId: before.userId, tunnelServerId: before.tunnelServerId, ...patch }
  await checkRefs(tx, after as Pick<RuleFields, 'userId' | 'tunnelServerId'>)
  await updateRule(tx.db, id, patch)
  // Both where it held and where it holds now.
  await tx.affect([
    ...(await agentsOf(tx, before.tunnelServerId)),
    ...(await agentsOf(tx, after.tunnelServerId ?? null)),
  ])
  await writeAudit(tx.db, tx.actor, 'rule.update', { type: 'rule', id }, patch)
  return (await getRule(tx.db, id))!
}

export async function deleteRule(tx: Tx, id: string): Promise<void> {
  const r = await getRule(tx.db, id)
  if (!r) throw ruleNotFound()
  await deleteRuleRow(tx.db, id)
  await tx.affect(await agentsOf(tx, r.tunnelServerId))
  await writeAudit(
    tx.db,
    tx.actor,
    'rule.delete',
    { type: 'rule', id },
    {
      action: r.action,
      destination: r.destination,
      userId: r.userId,
    },
  )
}

export async function changeVpnSettings(tx: Tx, b: VpnSettingsUpdate): Promise<VpnSettings> {
  const before = await getVpnSettings(tx.db)
  await updateVpnSettings(tx.db, b)
  if (b.defaultPolicy !== undefined && b.defaultPolicy !== before.defaultPolicy)
    await tx.affect(await allServerAgents(tx.db))
  await writeAudit(tx.db, tx.actor, 'settings.vpn', { type: 'settings', id: 'vpn' }, b)
  return getVpnSettings(tx.db)
}
