/** API tokens for scripts: owned by a user, stored as SHA-256, revocable, optionally expiring. */
import type { ApiToken } from '@wirewarp/protocol'
import type { Selectable } from 'kysely'
import type { Db } from '../db/database.ts'
import type { ApiTokensTable } from '../db/schema.ts'
import { newId, nowIso, page } from './rows.ts'

type Row = Selectable<ApiTokensTable>

export function toApiToken(row: Row): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
  }
}

export function listApiTokens(db: Db, userId: string, opts: { limit: number; offset: number }) {
  return page(
    db
      .selectFrom('apiTokens')
      .selectAll()
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .orderBy('createdAt', 'desc')
      .orderBy('id'),
    opts,
    toApiToken,
  )
}

export async function insertApiToken(
  db: Db,
  t: { userId: string; name: string; tokenHash: string; prefix: string; expiresAt: string | null },
): Promise<Row> {
  const row: Row = { id: newId(), ...t, createdAt: nowIso(), lastUsedAt: null, revokedAt: null }
  await db.insertInto('apiTokens').values(row).execute()
  return row
}

export function findApiTokenByHash(db: Db, tokenHash: string) {
  return db.selectFrom('apiTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst()
}

export function getApiToken(db: Db, id: string) {
  return db.selectFrom('apiTokens').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function revokeApiToken(db: Db, id: string): Promise<void> {
  await db.updateTable('apiTokens').set({ revokedAt: nowIso() }).where('id', '=', id).execute()
}

/** Revokes every live API token of a user (a password reset); returns how many. */
export async function revokeApiTokensOfUser(db: Db, userId: string): Promise<number> {
  const r = await db
    .updateTable('apiTokens')
    .set({ revokedAt: nowIso() })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

export async function touchApiToken(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('apiTokens').set({ lastUsedAt: at }).where('id', '=', id).execute()
}
