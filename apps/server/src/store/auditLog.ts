/** The audit log: who changed what, from where, when. Written in the same transaction as the change. */
import type { AuditEntry, AuditQuery } from '@wirewarp/protocol'
import type { Selectable } from 'kysely'
import type { Db } from '../db/database.ts'
import type { AuditLogTable } from '../db/schema.ts'
import { JsonObject, newId, nowIso, page, parseJsonColumn } from './rows.ts'

type Row = Selectable<AuditLogTable>

export interface Actor {
  /** anonymous: a request with nobody signed in; system: the server itself. */
  type: 'user' | 'token' | 'system' | 'agent' | 'anonymous'
  id: string | null
  email: string | null
  ip: string | null
  userAgent: string | null
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, email: null, ip: null, userAgent: null }

export function toAuditEntry(row: Row): AuditEntry {
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

export function listAudit(db: Db, q: AuditQuery) {
  let query = db.selectFrom('auditLog').selectAll()
  if (q.actorId) query = query.where('actorId', '=', q.actorId)
  if (q.action) query = query.where('action', '=', q.action)
  if (q.targetType) query = query.where('targetType', '=', q.targetType)
  if (q.targetId) query = query.where('targetId', '=', q.targetId)
  if (q.from) query = query.where('at', '>=', new Date(q.from).toISOString())
  if (q.to) query = query.where('at', '<=', new Date(q.to).toISOString())
  return page(query.orderBy('at', 'desc').orderBy('id', 'desc'), q, toAuditEntry)
}
