/** Dashboard sessions: one row per signed-in browser, found by the SHA-256 of its cookie. */
import type { Db } from '../db/database.ts'
import { newId, nowIso } from './rows.ts'

export async function insertSession(
  db: Db,
  s: { tokenHash: string; userId: string; expiresAt: string; ip: string | null; userAgent: string | null },
): Promise<string> {
  const id = newId()
  const t = nowIso()
  await db
    .insertInto('sessions')
    .values({ id, ...s, createdAt: t, lastSeenAt: t })
    .execute()
  return id
}

export function findSessionByHash(db: Db, tokenHash: string) {
  return db.selectFrom('sessions').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst()
}

export async function touchSession(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ lastSeenAt: at }).where('id', '=', id).execute()
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute()
}

/** Signs a user out everywhere (password change, disable, role change). */
export async function deleteSessionsOfUser(db: Db, userId: string, exceptId?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('userId', '=', userId)
  if (exceptId) q = q.where('id', '!=', exceptId)
  await q.execute()
}

export async function deleteExpiredSessions(db: Db, idleBefore: string): Promise<void> {
  const t = nowIso()
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expiresAt', '<=', t), eb('lastSeenAt', '<', idleBefore)]))
    .execute()
}
