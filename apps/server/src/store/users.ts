/** The users table: accounts, roles and password hashes. */
import type { User } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { UserRow } from '../db/schema.ts'
import { newId, nowIso, page } from './rows.ts'

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastLoginAt: row.lastLoginAt,
  }
}

export function listUsers(db: Db, opts: { limit: number; offset: number }) {
  const q = db
    .selectFrom('users')
    .selectAll()
    .select((eb) =>
      eb
        .selectFrom('devices')
        .select((d) => d.fn.countAll<number>().as('n'))
        .whereRef('devices.userId', '=', 'users.id')
        .as('devices'),
    )
  return page(q.orderBy('email').orderBy('id'), opts, (row) => ({ ...toUser(row), devices: Number(row.devices ?? 0) }))
}

export function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst()
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Admins that can still sign in, other than `exceptId`: the last one must not be removed. */
export async function countActiveAdmins(db: Db, exceptId?: string): Promise<number> {
  let q = db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', false)
  if (exceptId) q = q.where('id', '!=', exceptId)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

export async function insertUser(
  db: Db,
  u: { email: string; name: string; passwordHash: string; role: 'admin' | 'user' },
): Promise<UserRow> {
  const t = nowIso()
  const row: UserRow = {
    id: newId(),
    ...u,
    email: u.email.toLowerCase(),
    disabled: false,
    createdAt: t,
    updatedAt: t,
    lastLoginAt: null,
  }
  await db.insertInto('users').values(row).execute()
  return row
}

export async function updateUser(
  db: Db,
  id: string,
  patch: Partial<Pick<UserRow, 'email' | 'name' | 'passwordHash' | 'role' | 'disabled' | 'lastLoginAt'>>,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...patch, ...(patch.lastLoginAt === undefined ? { updatedAt: nowIso() } : {}) })
    .where('id', '=', id)
    .execute()
}

export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute()
}
