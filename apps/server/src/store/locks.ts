/**
 * Locks that work on both databases: a transaction updates a row first and holds it until it
 * commits (a row lock on PostgreSQL, the write lock on SQLite), so check-then-write sequences on
 * the same thing take turns instead of racing under READ COMMITTED.
 */
import type { Db } from '../db/database.ts'

/** Serialises changes to one tunnel server's forwards, tunnel addresses and peers. False: no such server. */
export async function lockTunnelServer(db: Db, tunnelServerId: string): Promise<boolean> {
  const r = await db
    .updateTable('tunnelServers')
    .set((eb) => ({ wgPort: eb.ref('wgPort') }))
    .where('id', '=', tunnelServerId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** Locks several tunnel servers in one order (by id), so two transactions never wait on each other. */
export async function lockTunnelServers(db: Db, ids: Iterable<string | null | undefined>): Promise<void> {
  const sorted = [...new Set([...ids].filter((x): x is string => typeof x === 'string'))].sort()
  for (const id of sorted) await lockTunnelServer(db, id)
}

/** A named lock from the locks table, e.g. 'users' for "the last admin must stay". */
export async function lockNamed(db: Db, name: 'users'): Promise<void> {
  await db
    .updateTable('locks')
    .set((eb) => ({ n: eb('n', '+', 1) }))
    .where('name', '=', name)
    .execute()
}

/** Serialises changes to one user's devices (their number and names). False: no such user. */
export async function lockUser(db: Db, userId: string): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set((eb) => ({ role: eb.ref('role') }))
    .where('id', '=', userId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}
