/**
 * The registry of WireGuard public keys: every key in use has exactly one owner (a tunnel
 * server, a tunnel client or a user's device), enforced by the table's primary key. Owners'
 * own key columns are written only through here, in the same transaction.
 */
import type { Db } from '../db/database.ts'
import { nowIso } from './rows.ts'

export type KeyOwner = { tunnelServerId: string } | { tunnelClientId: string } | { deviceId: string }

export type KeyClaim = { ok: true; changed: boolean } | { ok: false; holder: string }

type OwnerColumn = 'tunnelServerId' | 'tunnelClientId' | 'deviceId'

function ownerColumn(owner: KeyOwner): OwnerColumn {
  return 'tunnelServerId' in owner ? 'tunnelServerId' : 'tunnelClientId' in owner ? 'tunnelClientId' : 'deviceId'
}

function ownerId(owner: KeyOwner): string {
  return 'tunnelServerId' in owner
    ? owner.tunnelServerId
    : 'tunnelClientId' in owner
      ? owner.tunnelClientId
      : owner.deviceId
}

/** Who holds `publicKey`, for people: "the tunnel server vps-1". Null when nobody does. */
export async function describeKeyHolder(db: Db, publicKey: string): Promise<string | null> {
  const row = await db
    .selectFrom('wireguardKeys')
    .leftJoin('tunnelServers', 'tunnelServers.id', 'wireguardKeys.tunnelServerId')
    .leftJoin('tunnelClients', 'tunnelClients.id', 'wireguardKeys.tunnelClientId')
    .leftJoin('devices', 'devices.id', 'wireguardKeys.deviceId')
    .select(['tunnelServers.name as serverName', 'tunnelClients.name as clientName', 'devices.id as deviceId'])
    .where('wireguardKeys.publicKey', '=', publicKey)
    .executeTakeFirst()
  if (!row) return null
  if (row.serverName) return `the tunnel server ${row.serverName}`
  if (row.clientName) return `the tunnel client ${row.clientName}`
  // A device's name belongs to its user: others learn only that a device holds the key.
  if (row.deviceId) return 'a device'
  return 'another peer'
}

/**
 * Makes `publicKey` the owner's key, unless another owner holds it: then nothing changes (the
 * owner keeps its old key) and the holder is named.
 */
export async function claimWireguardKey(db: Db, owner: KeyOwner, publicKey: string): Promise<KeyClaim> {
  const column = ownerColumn(owner)
  const id = ownerId(owner)
  const current = await db.selectFrom('wireguardKeys').selectAll().where('publicKey', '=', publicKey).executeTakeFirst()
  if (current) {
    if (current[column] === id) return { ok: true, changed: false }
    return { ok: false, holder: (await describeKeyHolder(db, publicKey)) ?? 'another peer' }
  }
  // The owner's old key goes first (one key per owner), and comes back if the new one is taken
  // after all. ON CONFLICT DO NOTHING: a key claimed at the same moment by someone else is a
  // refusal, not an error that would abort this transaction on PostgreSQL.
  const old = await db.selectFrom('wireguardKeys').selectAll().where(column, '=', id).executeTakeFirst()
  if (old) await db.deleteFrom('wireguardKeys').where('publicKey', '=', old.publicKey).execute()
  const row = { tunnelServerId: null, tunnelClientId: null, deviceId: null, [column]: id, createdAt: nowIso() }
  const inserted = await db
    .insertInto('wireguardKeys')
    .values({ ...row, publicKey })
    .onConflict((oc) => oc.column('publicKey').doNothing())
    .executeTakeFirst()
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) {
    if (old) await db.insertInto('wireguardKeys').values(old).execute()
    return { ok: false, holder: (await describeKeyHolder(db, publicKey)) ?? 'another peer' }
  }
  if (column === 'deviceId') await db.updateTable('devices').set({ publicKey }).where('id', '=', id).execute()
  else
    await db
      .updateTable(column === 'tunnelServerId' ? 'tunnelServers' : 'tunnelClients')
      .set({ wgPublicKey: publicKey })
      .where('id', '=', id)
      .execute()
  return { ok: true, changed: true }
}
