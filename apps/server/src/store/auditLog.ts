/** The audit log: who changed what, from where, when. Written in the same transaction as the change. */
import type { AuditEntry, AuditQuery } from '@wirewarp/protocol'
import { type ExpressionBuilder, type Selectable, type SelectQueryBuilder, sql } from 'kysely'
import type { Db } from '../db/database.ts'
import type { AuditLogTable, Database } from '../db/schema.ts'
import { resolveAuditNames } from './auditNames.ts'
import { JsonObject, newId, nowIso, page, parseJsonColumn } from './rows.ts'

type Row = Selectable<AuditLogTable>

/**
 * The actions the server writes, for the dashboard's picker; `listAuditActions` adds any other
 * found in the log (an agent command, an action of an older version).
 */
export const KNOWN_AUDIT_ACTIONS = [
  'agent.command.check_drift',
  'agent.command.diagnostics',
  'agent.command.ping',
  'agent.command.restart',
  'agent.command.uninstall',
  'agent.delete',
  'agent.drift_repaired',
  'agent.register',
  'agent.update',
  'agent.update.batch_stopped',
  'agent.update.confirmed',
  'agent.update.rolled_back',
  'agent.update_hold',
  'agent.update_outdated',
  'api_token.create',
  'api_token.revoke',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'device.create',
  'device.delete',
  'device.disable',
  'device.enable',
  'device.rotate_key',
  'device.update',
  'port_forward.create',
  'port_forward.create_from_template',
  'port_forward.delete',
  'port_forward.disable',
  'port_forward.enable',
  'port_forward.update',
  'registration_token.create',
  'registration_token.revoke',
  'rule.create',
  'rule.delete',
  'rule.update',
  'service_template.create',
  'service_template.delete',
  'service_template.update',
  'settings.vpn',
  'tunnel_client.update',
  'tunnel_server.update',
  'user.create',
  'user.delete',
  'user.password_change',
  'user.password_change_failed',
  'user.update',
] as const

export interface Actor {
  /** anonymous: a request with nobody signed in; system: the server itself. */
  type: 'user' | 'token' | 'system' | 'agent' | 'anonymous'
  id: string | null
  email: string | null
  ip: string | null
  userAgent: string | null
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, email: null, ip: null, userAgent: null }

export async function writeAudit(
  db: Db,
  actor: Actor,
  action: string,
  target: { type: string; id: string } | null,
  summary: Record<string, unknown> = {},
): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      id: newId(),
      at: nowIso(),
      actorType: actor.type,
      actorId: actor.id,
      actorEmail: actor.email,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      summary: JSON.stringify(summary),
      ip: actor.ip,
      userAgent: actor.userAgent?.slice(0, 512) ?? null,
    })
    .execute()
}

export async function listAudit(db: Db, q: AuditQuery) {
  let query = db.selectFrom('auditLog').selectAll()
  if (q.actorId) query = query.where(startsWith('auditLog.actorId', q.actorId))
  if (q.actor) {
    const actor = q.actor
    // The email recorded then, or the actor's email today (it may have changed since).
    query = query.where((eb) =>
      eb.or([
        startsWith('auditLog.actorEmail', actor),
        eb('auditLog.actorId', 'in', eb.selectFrom('users').select('users.id').where(startsWith('users.email', actor))),
      ]),
    )
  }
  if (q.action) query = query.where(startsWith('auditLog.action', q.action))
  if (q.targetType) query = query.where(startsWith('auditLog.targetType', q.targetType))
  if (q.targetId) query = query.where(startsWith('auditLog.targetId', q.targetId))
  if (q.target) {
    const target = q.target
    query = query.where((eb) => eb.or([startsWith('auditLog.targetId', target), ...targetsNamed(eb, target)]))
  }
  if (q.from) query = query.where('at', '>=', new Date(q.from).toISOString())
  if (q.to) query = query.where('at', '<=', new Date(q.to).toISOString())
  const rows = await page(query.orderBy('at', 'desc').orderBy('id', 'desc'), q, (row) => row)
  const names = await resolveAuditNames(db, rows.items)
  return {
    ...rows,
    items: rows.items.map((row, i) => ({ ...toAuditEntry(row), ...names[i]! })),
  }
}

/** Every action in KNOWN_AUDIT_ACTIONS or in the log, sorted. */
export async function listAuditActions(db: Db): Promise<string[]> {
  const found = await db.selectFrom('auditLog').select('action').distinct().execute()
  return [...new Set([...KNOWN_AUDIT_ACTIONS, ...found.map((r) => r.action)])].sort()
}

function toAuditEntry(row: Row): Omit<AuditEntry, 'actorName' | 'targetName'> {
  return {
    id: row.id,
    at: row.at,
    actorType: row.actorType,
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    summary: parseJsonColumn(row.summary, JsonObject, {}),
    ip: row.ip,
    userAgent: row.userAgent,
  }
}

/**
 * `column` starts with `prefix`, ignoring case, with `%` and `_` in the prefix taken literally.
 * `lower(…) like` behaves the same on SQLite (case-blind like) and PostgreSQL (case-sensitive).
 */
function startsWith(column: string, prefix: string) {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
}

/** Entries whose target, as it is named today, starts with `prefix`: one subquery per target type. */
function targetsNamed(eb: ExpressionBuilder<Database, 'auditLog'>, prefix: string) {
  const of = (type: string, ids: SelectQueryBuilder<Database, keyof Database, { id: string }>) =>
    eb.and([eb('auditLog.targetType', '=', type), eb('auditLog.targetId', 'in', ids)])
  return [
    of('agent', eb.selectFrom('agents').select('agents.id').where(startsWith('agents.name', prefix))),
    of(
      'tunnel_server',
      eb.selectFrom('tunnelServers').select('tunnelServers.id').where(startsWith('tunnelServers.name', prefix)),
    ),
    of(
      'tunnel_client',
      eb.selectFrom('tunnelClients').select('tunnelClients.id').where(startsWith('tunnelClients.name', prefix)),
    ),
    of(
      'port_forward',
      eb.selectFrom('portForwards').select('portForwards.id').where(startsWith('portForwards.description', prefix)),
    ),
    of('user', eb.selectFrom('users').select('users.id').where(startsWith('users.email', prefix))),
    of(
      'service_template',
      eb
        .selectFrom('serviceTemplates')
        .select('serviceTemplates.id')
        .where(startsWith('serviceTemplates.name', prefix)),
    ),
    of('api_token', eb.selectFrom('apiTokens').select('apiTokens.id').where(startsWith('apiTokens.name', prefix))),
    of(
      'registration_token',
      eb
        .selectFrom('registrationTokens')
        .select('registrationTokens.id')
        .where(startsWith('registrationTokens.name', prefix)),
    ),
  ]
}
