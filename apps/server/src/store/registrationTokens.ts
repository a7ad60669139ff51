/** One-time registration tokens that let a new agent join, stored as SHA-256. */
import type { RegistrationToken } from '@wirewarp/protocol'
import type { Selectable } from 'kysely'
import type { Db } from '../db/database.ts'
import type { RegistrationTokensTable } from '../db/schema.ts'
import { newId, nowIso, page } from './rows.ts'

type Row = Selectable<RegistrationTokensTable>

export function toRegistrationToken(row: Row, now = nowIso()): RegistrationToken {
  const status = row.revokedAt ? 'revoked' : row.usedAt ? 'used' : row.expiresAt <= now ? 'expired' : 'active'
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    tunnelServerId: row.tunnelServerId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt,
    revokedAt: row.revokedAt,
    status,
  }
}

export function listRegistrationTokens(db: Db, opts: { limit: number; offset: number }) {
  const now = nowIso()
  return page(db.selectFrom('registrationTokens').selectAll().orderBy('createdAt', 'desc').orderBy('id'), opts, (r) =>
    toRegistrationToken(r, now),
  )
}

export function getRegistrationToken(db: Db, id: string) {
  return db.selectFrom('registrationTokens').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertRegistrationToken(
  db: Db,
  t: Pick<Row, 'name' | 'kind' | 'tokenHash' | 'tunnelServerId' | 'createdBy' | 'expiresAt'>,
): Promise<Row> {
  const row: Row = { id: newId(), ...t, createdAt: nowIso(), usedAt: null, usedByAgentId: null, revokedAt: null }
  await db.insertInto('registrationTokens').values(row).execute()
  return row
}

export async function revokeRegistrationToken(db: Db, id: string): Promise<void> {
  await db.updateTable('registrationTokens').set({ revokedAt: nowIso() }).where('id', '=', id).execute()
}

export function findRegistrationTokenByHash(db: Db, tokenHash: string) {
  return db.selectFrom('registrationTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst()
}

/** Spends a token for an agent, only if nobody spent it meanwhile; false when somebody did. */
export async function spendRegistrationToken(db: Db, id: string, agentId: string): Promise<boolean> {
  const r = await db
    .updateTable('registrationTokens')
    .set({ usedAt: nowIso(), usedByAgentId: agentId })
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}
