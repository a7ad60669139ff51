/** Agent metrics samples, kept for a retention period. */
import type { MetricPoint } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import { JsonObject, parseJsonColumn } from './rows.ts'

export async function insertMetrics(db: Db, agentId: string, at: string, sample: unknown): Promise<void> {
  await db
    .insertInto('metrics')
    .values({ agentId, at, data: JSON.stringify(sample) })
    .execute()
}

export async function listMetrics(
  db: Db,
  agentId: string,
  q: { from?: string | undefined; to?: string | undefined; limit: number },
): Promise<MetricPoint[]> {
  let query = db.selectFrom('metrics').select(['at', 'data']).where('agentId', '=', agentId)
  if (q.from) query = query.where('at', '>=', new Date(q.from).toISOString())
  if (q.to) query = query.where('at', '<=', new Date(q.to).toISOString())
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()
  return rows.reverse().map((r) => ({ at: r.at, sample: parseJsonColumn(r.data, JsonObject, {}) }))
}

export async function deleteMetricsBefore(db: Db, before: string): Promise<number> {
  const r = await db.deleteFrom('metrics').where('at', '<', before).executeTakeFirst()
  return Number(r.numDeletedRows)
}
