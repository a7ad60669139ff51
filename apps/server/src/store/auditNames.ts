/**
 * Names the actors and targets of a page of audit entries: one query per kind of thing, never one
 * per entry. A target deleted since is named as an entry recorded it, else by a short id.
 */
import type { Selectable } from 'kysely'
import type { Db } from '../db/database.ts'
import type { AuditLogTable } from '../db/schema.ts'
import { JsonObject, parseJsonColumn } from './rows.ts'

type Row = Pick<
  Selectable<AuditLogTable>,
  'actorType' | 'actorId' | 'actorEmail' | 'targetType' | 'targetId' | 'summary'
>

export interface AuditNames {
  actorName: string | null
  targetName: string | null
}

type Lookup = (db: Db, ids: string[]) => Promise<{ id: string; name: string }[]>

/** How each target type is called today. */
const LOOKUPS: Record<string, Lookup> = {
  agent: (db, ids) => db.selectFrom('agents').select(['id', 'name']).where('id', 'in', ids).execute(),
  tunnel_server: (db, ids) => db.selectFrom('tunnelServers').select(['id', 'name']).where('id', 'in', ids).execute(),
  tunnel_client: (db, ids) => db.selectFrom('tunnelClients').select(['id', 'name']).where('id', 'in', ids).execute(),
  user: (db, ids) => db.selectFrom('users').select(['id', 'email as name']).where('id', 'in', ids).execute(),
  service_template: (db, ids) =>
    db.selectFrom('serviceTemplates').select(['id', 'name']).where('id', 'in', ids).execute(),
  device: (db, ids) => db.selectFrom('devices').select(['id', 'name']).where('id', 'in', ids).execute(),
  api_token: (db, ids) => db.selectFrom('apiTokens').select(['id', 'name']).where('id', 'in', ids).execute(),
  registration_token: (db, ids) =>
    db.selectFrom('registrationTokens').select(['id', 'name']).where('id', 'in', ids).execute(),
  port_forward: async (db, ids) => {
    const rows = await db
      .selectFrom('portForwards')
      .select(['id', 'description', 'protocol', 'publicPort', 'publicPortEnd'])
      .where('id', 'in', ids)
      .execute()
    return rows.map((r) => ({ id: r.id, name: forwardName(r) ?? r.id }))
  },
}

/** A forward by its description, else by what it opens: "TCP 25565", "UDP 2456-2458". */
export function forwardName(f: Record<string, unknown>): string | null {
  if (typeof f.description === 'string' && f.description.trim() !== '') return f.description.trim()
  if (typeof f.publicPort !== 'number' || typeof f.protocol !== 'string') return null
  const protocol = f.protocol === 'both' ? 'TCP/UDP' : f.protocol.toUpperCase()
  const end = typeof f.publicPortEnd === 'number' && f.publicPortEnd !== f.publicPort ? `-${f.publicPortEnd}` : ''
  return `${protocol} ${f.publicPort}${end}`
}

/** The name an entry's summary recorded for its target, if it recorded one. */
function recordedName(targetType: string, summaryText: string): string | null {
  const summary = parseJsonColumn(summaryText, JsonObject, {})
  const text = (key: string) => (typeof summary[key] === 'string' && summary[key] !== '' ? summary[key] : null)
  switch (targetType) {
    case 'user':
      return text('email')
    case 'port_forward':
      return forwardName(summary)
    case 'service_template':
      return text('name') ?? text('template')
    default:
      return text('name')
  }
}

const shortId = (id: string) => (id.length > 12 ? id.slice(0, 8) : id)
const key = (type: string, id: string) => `${type}\u0000${id}`

/** The names of `rows`' actors and targets, in the same order. */
export async function resolveAuditNames(db: Db, rows: readonly Row[]): Promise<AuditNames[]> {
  const wanted = new Map<string, Set<string>>()
  const want = (type: string, id: string | null) => {
    if (!id || !LOOKUPS[type]) return
    const ids = wanted.get(type) ?? new Set<string>()
    wanted.set(type, ids.add(id))
  }
  for (const r of rows) {
    if (r.actorType === 'user' || r.actorType === 'token') want('user', r.actorId)
    if (r.actorType === 'agent') want('agent', r.actorId)
    if (r.targetType) want(r.targetType, r.targetId)
  }

  const current = new Map<string, string>()
  await Promise.all(
    [...wanted].map(async ([type, ids]) => {
      for (const { id, name } of await LOOKUPS[type]!(db, [...ids])) current.set(key(type, id), name)
    }),
  )

  // Targets gone since: the newest entry about each that recorded a name (often its deletion).
  const gone = rows.filter((r) => r.targetType && r.targetId && !current.has(key(r.targetType, r.targetId)))
  const recorded = new Map<string, string>()
  const goneIds = [...new Set(gone.map((r) => r.targetId!))]
  if (goneIds.length > 0) {
    const history = await db
      .selectFrom('auditLog')
      .select(['targetType', 'targetId', 'summary'])
      .where('targetId', 'in', goneIds)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .execute()
    for (const h of history) {
      const k = key(h.targetType ?? '', h.targetId ?? '')
      if (recorded.has(k) || !h.targetType) continue
      const name = recordedName(h.targetType, h.summary)
      if (name) recorded.set(k, name)
    }
  }

  return rows.map((r) => ({
    actorName: actorName(r, current),
    targetName:
      r.targetType && r.targetId
        ? (current.get(key(r.targetType, r.targetId)) ??
          recordedName(r.targetType, r.summary) ??
          recorded.get(key(r.targetType, r.targetId)) ??
          shortId(r.targetId))
        : null,
  }))
}

function actorName(r: Row, current: Map<string, string>): string | null {
  if (!r.actorId) return r.actorEmail
  if (r.actorType === 'user' || r.actorType === 'token')
    return current.get(key('user', r.actorId)) ?? r.actorEmail ?? shortId(r.actorId)
  if (r.actorType === 'agent') return current.get(key('agent', r.actorId)) ?? shortId(r.actorId)
  return r.actorEmail
}
