/**
 * The server epoch: revisions of desired states only grow within one. A new database starts an
 * epoch (migration 004); so does a database restored from a backup, once the hub sees an agent
 * that applied a revision the database never reached, or when an operator says so.
 */
import { randomUUID } from 'node:crypto'
import type { Db } from '../db/database.ts'
import { nowIso } from './rows.ts'

/** The epoch as a subquery, to read it in the same statement as what it labels. */
export function epochSubquery(db: Db) {
  return db.selectFrom('settings').select('value').where('key', '=', 'epoch')
}

export async function getEpoch(db: Db): Promise<string> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'epoch').executeTakeFirst()
  return row?.value ?? ''
}

/**
 * Starts a new epoch unless another process already replaced `current`; returns the epoch in
 * force afterwards either way.
 */
export async function startNewEpoch(db: Db, current: string): Promise<string> {
  const next = randomUUID()
  const r = await db
    .updateTable('settings')
    .set({ value: next, updatedAt: nowIso() })
    .where('key', '=', 'epoch')
    .where('value', '=', current)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1 ? next : getEpoch(db)
}
