/**
 * Users' devices: stock WireGuard peers of a tunnel server. A device row holds its host offset;
 * its addresses, effective client settings and online state are derived when it is read, from
 * its tunnel server's networks and defaults and from its latest traffic report.
 */
import { randomInt } from 'node:crypto'
import {
  ClientAllowedIps,
  ClientDns,
  DEVICE_ONLINE_WITHIN_SECONDS,
  type Device,
  type DeviceOverrides,
  effectiveClientSettings,
} from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import type { DeviceRow } from '../db/schema.ts'
import { deviceIpv4, deviceIpv6, FIRST_DEVICE_OFFSET } from '../tunnel/deviceAddresses.ts'
import { newId, nowIso, page, parseJsonColumn } from './rows.ts'
import { clientDefaultsOf } from './tunnelServers.ts'

function selectDevices(db: Db) {
  return db
    .selectFrom('devices')
    .innerJoin('tunnelServers', 'tunnelServers.id', 'devices.tunnelServerId')
    .innerJoin('users', 'users.id', 'devices.userId')
    .leftJoin('deviceStats', 'deviceStats.deviceId', 'devices.id')
    .selectAll('devices')
    .select([
      'users.email as userEmail',
      'users.disabled as userDisabled',
      'tunnelServers.name as serverName',
      'tunnelServers.agentId as serverAgentId',
      'tunnelServers.wgPublicKey as serverPublicKey',
      'tunnelServers.publicIp as serverPublicIp',
      'tunnelServers.wgPort as serverWgPort',
      'tunnelServers.mtu as serverMtu',
      'tunnelServers.dns as serverDns',
      'tunnelServers.deviceNetworkV4',
      'tunnelServers.deviceNetworkV6',
      'tunnelServers.clientEndpoint',
      'tunnelServers.clientAllowedIps',
      'tunnelServers.clientKeepalive',
      'tunnelServers.clientMtu',
      'deviceStats.latestHandshakeAt',
      'deviceStats.rxBytes',
      'deviceStats.txBytes',
      'deviceStats.endpoint as statsEndpoint',
      'deviceStats.updatedAt as statsUpdatedAt',
    ])
}

export type DeviceRecord = NonNullable<Awaited<ReturnType<ReturnType<typeof selectDevices>['executeTakeFirst']>>>

export function deviceOverrides(row: DeviceRow): DeviceOverrides {
  return {
    endpoint: row.endpoint,
    dns: row.dns === null ? null : parseJsonColumn(row.dns, ClientDns, []),
    allowedIps: row.allowedIps === null ? null : parseJsonColumn(row.allowedIps, ClientAllowedIps, ['0.0.0.0/0']),
    mtu: row.mtu,
    persistentKeepalive: row.persistentKeepalive,
  }
}

export function deviceAddresses(r: Pick<DeviceRecord, 'hostOffset' | 'deviceNetworkV4' | 'deviceNetworkV6'>): {
  ipv4: string
  ipv6: string | null
} {
  return { ipv4: deviceIpv4(r.deviceNetworkV4, r.hostOffset), ipv6: deviceIpv6(r.deviceNetworkV6, r.hostOffset) }
}

export function toDevice(r: DeviceRecord, now = Date.now()): Device {
  const defaults = clientDefaultsOf({
    publicIp: r.serverPublicIp,
    wgPort: r.serverWgPort,
    mtu: r.serverMtu,
    dns: r.serverDns,
    clientEndpoint: r.clientEndpoint,
    clientAllowedIps: r.clientAllowedIps,
    clientKeepalive: r.clientKeepalive,
    clientMtu: r.clientMtu,
  })
  const overrides = deviceOverrides(r)
  const handshake = r.latestHandshakeAt ?? null
  return {
    id: r.id,
    userId: r.userId,
    userEmail: r.userEmail,
    tunnelServerId: r.tunnelServerId,
    tunnelServerName: r.serverName,
    name: r.name,
    description: r.description,
    publicKey: r.publicKey,
    hasPresharedKey: r.presharedKey !== null,
    ...deviceAddresses(r),
    enabled: r.enabled,
    inactiveReason: r.enabled && r.userDisabled ? 'user_disabled' : null,
    overrides,
    settings: effectiveClientSettings(defaults, overrides),
    serverPublicKey: r.serverPublicKey,
    stats: {
      online: handshake !== null && now - Date.parse(handshake) < DEVICE_ONLINE_WITHIN_SECONDS * 1000,
      latestHandshakeAt: handshake,
      rxBytes: Number(r.rxBytes ?? 0),
      txBytes: Number(r.txBytes ?? 0),
      endpoint: r.statsEndpoint ?? null,
      updatedAt: r.statsUpdatedAt ?? null,
    },
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

export function listDevices(
  db: Db,
  opts: { limit: number; offset: number; userId?: string | undefined; tunnelServerId?: string | undefined },
) {
  let q = selectDevices(db)
  if (opts.userId) q = q.where('devices.userId', '=', opts.userId)
  if (opts.tunnelServerId) q = q.where('devices.tunnelServerId', '=', opts.tunnelServerId)
  const now = Date.now()
  return page(q.orderBy('devices.name').orderBy('devices.id'), opts, (r) => toDevice(r, now))
}

export function getDevice(db: Db, id: string): Promise<DeviceRecord | undefined> {
  return selectDevices(db).where('devices.id', '=', id).executeTakeFirst()
}

export async function countUserDevices(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Whether the user has another device of this name, ignoring case. */
export async function deviceNameTaken(db: Db, userId: string, name: string, exceptId?: string): Promise<boolean> {
  let q = db
    .selectFrom('devices')
    .select('id')
    .where('userId', '=', userId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
  if (exceptId) q = q.where('id', '!=', exceptId)
  return (await q.executeTakeFirst()) !== undefined
}

/** The highest offset in use on a server (0 when it has no device). */
export async function highestDeviceOffset(db: Db, tunnelServerId: string): Promise<number> {
  const r = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.max('hostOffset').as('m'))
    .where('tunnelServerId', '=', tunnelServerId)
    .executeTakeFirst()
  return Number(r?.m ?? 0)
}

const SCAN_CHUNK = 256

/**
 * A free host offset on the server: a random one, or the next free above it (wrapping around once).
 * Each step reads the offsets in use in order from the index, so a sparse network costs one
 * short query. Callers hold the server's lock; the unique (server, offset) index refuses
 * what slips past one. Null when the network is full.
 */
export async function allocateDeviceOffset(
  db: Db,
  tunnelServerId: string,
  last: number,
  random: (min: number, maxExclusive: number) => number = randomInt,
): Promise<number | null> {
  const start = random(FIRST_DEVICE_OFFSET, last + 1)
  const scan = async (from: number, below: number): Promise<number | null> => {
    let candidate = from
    while (candidate < below) {
      const rows = await db
        .selectFrom('devices')
        .select('hostOffset')
        .where('tunnelServerId', '=', tunnelServerId)
        .where('hostOffset', '>=', candidate)
        .where('hostOffset', '<', below)
        .orderBy('hostOffset')
        .limit(SCAN_CHUNK)
        .execute()
      for (const { hostOffset } of rows) {
        if (hostOffset > candidate) return candidate
        candidate = hostOffset + 1
      }
      if (rows.length < SCAN_CHUNK) return candidate < below ? candidate : null
    }
    return null
  }
  return (await scan(start, last + 1)) ?? (await scan(FIRST_DEVICE_OFFSET, start))
}

export type DeviceFields = Omit<DeviceRow, 'id' | 'createdAt' | 'updatedAt' | 'changedRevision'>

export async function insertDevice(db: Db, f: DeviceFields & { id?: string }): Promise<string> {
  const t = nowIso()
  const id = f.id ?? newId()
  await db
    .insertInto('devices')
    .values({ ...f, id, changedRevision: 0, createdAt: t, updatedAt: t })
    .execute()
  return id
}

export async function updateDevice(
  db: Db,
  id: string,
  patch: Partial<Omit<DeviceRow, 'id' | 'createdAt' | 'updatedAt' | 'userId' | 'tunnelServerId'>>,
): Promise<void> {
  await db
    .updateTable('devices')
    .set({ ...patch, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function deleteDeviceRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('devices').where('id', '=', id).execute()
}

/** The agents of the tunnel servers where a user has devices. */
export async function serverAgentsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('devices')
    .innerJoin('tunnelServers', 'tunnelServers.id', 'devices.tunnelServerId')
    .select('tunnelServers.agentId')
    .distinct()
    .where('devices.userId', '=', userId)
    .execute()
  return rows.map((r) => r.agentId)
}

/** Every device of one tunnel server, for its desired state. */
export function devicesOfServer(db: Db, tunnelServerId: string) {
  return db
    .selectFrom('devices')
    .innerJoin('users', 'users.id', 'devices.userId')
    .select([
      'devices.id',
      'devices.userId',
      'devices.publicKey',
      'devices.presharedKey',
      'devices.hostOffset',
      'devices.enabled',
      'users.disabled as userDisabled',
    ])
    .where('devices.tunnelServerId', '=', tunnelServerId)
    .execute()
}
