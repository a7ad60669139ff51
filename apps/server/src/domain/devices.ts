/**
 * Users' devices as changes to the model: create (with the key made on the device, or by the
 * server once), change, enable/disable, rotate the key, delete. Who may do what is decided here,
 * not in the dashboard: a user reaches only their own devices (another's reads as not found),
 * and the VPN settings say whether users may manage devices and set their client config.
 *
 * Locks: the user's row first (the device limit and unique names), then the tunnel server's
 * (addresses); the unique (server, offset) index refuses what a missing lock would let through.
 */
import {
  type Device,
  type DeviceCreate,
  type DeviceCreated,
  type DeviceKeyRotation,
  type DeviceUpdate,
  OVERRIDE_FIELDS,
  renderDeviceConfig,
  type VpnSettings,
} from '@wirewarp/protocol'
import {
  deviceConfigNotForUsers,
  deviceKeyTaken,
  deviceLimit as deviceLimitReached,
  deviceNetworkFull,
  deviceNotFound,
  devicesNotForUsers,
  deviceNameTaken as nameTaken,
  otherUsersDevice,
  tunnelServerNotFound,
  userNotFound,
} from '../errors.ts'
import type { SecretBox } from '../secretBox.ts'
import { writeAudit } from '../store/auditLog.ts'
import {
  allocateDeviceOffset,
  countUserDevices,
  type DeviceRecord,
  deleteDeviceRow,
  deviceNameTaken,
  getDevice,
  insertDevice,
  toDevice,
  updateDevice,
} from '../store/devices.ts'
import { lockTunnelServer, lockUser } from '../store/locks.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'
import { getVpnSettings } from '../store/vpnSettings.ts'
import { claimWireguardKey } from '../store/wireguardKeys.ts'
import { lastDeviceOffset } from '../tunnel/deviceAddresses.ts'
import { generatePresharedKey, generateWgKeyPair } from '../tunnel/wgKeys.ts'
import type { Tx } from './change.ts'

/** Who asks: their id and whether they are an admin. */
export interface Who {
  userId: string
  admin: boolean
}

type OverrideInput = Pick<DeviceUpdate, (typeof OVERRIDE_FIELDS)[number]>

/** The override columns a request sets (null: back to the default); absent fields stay as they are. */
function overrideColumns(b: OverrideInput) {
  const out: {
    endpoint?: string | null
    dns?: string | null
    allowedIps?: string | null
    mtu?: number | null
    persistentKeepalive?: number | null
  } = {}
  if (b.endpoint !== undefined) out.endpoint = b.endpoint
  if (b.dns !== undefined) out.dns = b.dns === null ? null : JSON.stringify(b.dns)
  if (b.allowedIps !== undefined) out.allowedIps = b.allowedIps === null ? null : JSON.stringify(b.allowedIps)
  if (b.mtu !== undefined) out.mtu = b.mtu
  if (b.persistentKeepalive !== undefined) out.persistentKeepalive = b.persistentKeepalive
  return out
}

/** A user who is not an admin may set overrides only where the settings allow it. */
function checkConfigRights(who: Who, settings: VpnSettings, b: OverrideInput): void {
  if (who.admin || settings.usersMayConfigureDevices) return
  const set = OVERRIDE_FIELDS.filter((f) => b[f] !== undefined && b[f] !== null)
  if (set.length > 0) throw deviceConfigNotForUsers(set)
}

/** The device, when `who` may see it; another user's device is "not found", never "forbidden". */
async function visibleDevice(tx: Tx, who: Who, id: string): Promise<DeviceRecord> {
  const d = await getDevice(tx.db, id)
  if (!d || (!who.admin && d.userId !== who.userId)) throw deviceNotFound()
  return d
}

export async function readDevice(tx: Pick<Tx, 'db'>, who: Who, id: string): Promise<DeviceRecord> {
  return visibleDevice(tx as Tx, who, id)
}

/** The config a device runs; without the private key, which the server never keeps. */
export function deviceConfig(d: DeviceRecord, secrets: SecretBox, privateKey: string | null = null): string {
  const device = toDevice(d)
  return renderDeviceConfig({
    name: device.name,
    privateKey,
    addresses: [`${device.ipv4}/32`, ...(device.ipv6 ? [`${device.ipv6}/128`] : [])],
    serverPublicKey: device.serverPublicKey,
    presharedKey: d.presharedKey ? secrets.open(d.presharedKey) : null,
    settings: device.settings,
  })
}

/** The device as just made or re-keyed: the only time its config can hold a private key the server made. */
async function withConfig(tx: Tx, id: string, secrets: SecretBox, privateKey: string | null): Promise<DeviceCreated> {
  const d = (await getDevice(tx.db, id))!
  return { ...toDevice(d), privateKey, config: deviceConfig(d, secrets, privateKey) }
}

async function claimKey(tx: Tx, deviceId: string, publicKey: string): Promise<void> {
  const claim = await claimWireguardKey(tx.db, { deviceId }, publicKey)
  if (!claim.ok) throw deviceKeyTaken(claim.holder)
}

export async function createDevice(
  tx: Tx,
  who: Who,
  b: DeviceCreate & { description: string; presharedKey: boolean },
  secrets: SecretBox,
): Promise<DeviceCreated> {
  const settings = await getVpnSettings(tx.db)
  if (b.userId !== undefined && b.userId !== who.userId && !who.admin) throw otherUsersDevice()
  if (!who.admin && !settings.usersMayManageDevices) throw devicesNotForUsers()
  checkConfigRights(who, settings, b)
  const userId = b.userId ?? who.userId

  if (!(await lockUser(tx.db, userId))) throw userNotFound()
  // Admins may go past the limit (for a user who needs more); users may not.
  if (
    !who.admin &&
    settings.maxDevicesPerUser > 0 &&
    (await countUserDevices(tx.db, userId)) >= settings.maxDevicesPerUser
  )
    throw deviceLimitReached(settings.maxDevicesPerUser)
  if (await deviceNameTaken(tx.db, userId, b.name)) throw nameTaken(b.name)

  if (!(await lockTunnelServer(tx.db, b.tunnelServerId))) throw tunnelServerNotFound()
  const server = (await getTunnelServer(tx.db, b.tunnelServerId))!
  const offset = await allocateDeviceOffset(tx.db, server.id, lastDeviceOffset(server.deviceNetworkV4))
  if (offset === null) throw deviceNetworkFull(server.deviceNetworkV4, server.name)

  const pair = b.generateKey ? generateWgKeyPair() : null
  const publicKey = pair?.publicKey ?? b.publicKey!
  const psk = b.presharedKey ? generatePresharedKey() : null
  const id = await insertDevice(tx.db, {
    userId,
    tunnelServerId: server.id,
    name: b.name,
    description: b.description,
    // Written by the claim below, through the one registry of keys.
    publicKey,
    presharedKey: psk ? secrets.seal(psk) : null,
    hostOffset: offset,
    endpoint: null,
    dns: null,
    allowedIps: null,
    mtu: null,
    persistentKeepalive: null,
    ...overrideColumns(b),
    enabled: true,
  })
  await claimKey(tx, id, publicKey)
  await tx.affect([server.agentId])
  await writeAudit(
    tx.db,
    tx.actor,
    'device.create',
    { type: 'device', id },
    {
      name: b.name,
      userId,
      tunnelServerId: server.id,
      publicKey,
      keyMadeBy: pair ? 'server' : 'device',
      presharedKey: psk !== null,
    },
  )
  return withConfig(tx, id, secrets, pair?.privateKey ?? null)
}

export async function changeDevice(
  tx: Tx,
  who: Who,
  id: string,
  b: DeviceUpdate,
  action: 'device.update' | 'device.enable' | 'device.disable' = 'device.update',
): Promise<Device> {
  const before = await visibleDevice(tx, who, id)
  const settings = await getVpnSettings(tx.db)
  // Turning a device off and on is managing it; its name and description are the user's own.
  if (!who.admin && b.enabled !== undefined && !settings.usersMayManageDevices) throw devicesNotForUsers()
  checkConfigRights(who, settings, b)
  await lockUser(tx.db, before.userId)
  if (b.name !== undefined && (await deviceNameTaken(tx.db, before.userId, b.name, before.id))) throw nameTaken(b.name)
  await updateDevice(tx.db, before.id, {
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
    ...overrideColumns(b),
  })
  // Only the peer matters to the agent: a name or the client config it never sees.
  if (b.enabled !== undefined && b.enabled !== before.enabled) await tx.affect([before.serverAgentId])
  await writeAudit(tx.db, tx.actor, action, { type: 'device', id: before.id }, b)
  return toDevice((await getDevice(tx.db, before.id))!)
}

export async function rotateDeviceKey(
  tx: Tx,
  who: Who,
  id: string,
  b: DeviceKeyRotation,
  secrets: SecretBox,
): Promise<DeviceCreated> {
  const before = await visibleDevice(tx, who, id)
  const settings = await getVpnSettings(tx.db)
  if (!who.admin && !settings.usersMayManageDevices) throw devicesNotForUsers()
  await lockTunnelServer(tx.db, before.tunnelServerId)
  const pair = b.generateKey ? generateWgKeyPair() : null
  const publicKey = pair?.publicKey ?? b.publicKey!
  await claimKey(tx, before.id, publicKey)
  if (b.presharedKey !== undefined)
    await updateDevice(tx.db, before.id, { presharedKey: b.presharedKey ? secrets.seal(generatePresharedKey()) : null })
  else await updateDevice(tx.db, before.id, {})
  await tx.affect([before.serverAgentId])
  await writeAudit(
    tx.db,
    tx.actor,
    'device.rotate_key',
    { type: 'device', id: before.id },
    {
      publicKey,
      keyMadeBy: pair ? 'server' : 'device',
      ...(b.presharedKey !== undefined ? { presharedKey: b.presharedKey } : {}),
    },
  )
  return withConfig(tx, before.id, secrets, pair?.privateKey ?? null)
}

export async function deleteDevice(tx: Tx, who: Who, id: string): Promise<void> {
  const d = await visibleDevice(tx, who, id)
  if (!who.admin && !(await getVpnSettings(tx.db)).usersMayManageDevices) throw devicesNotForUsers()
  await lockTunnelServer(tx.db, d.tunnelServerId)
  // Its key leaves the registry with it (wireguard_keys.device_id cascades).
  await deleteDeviceRow(tx.db, d.id)
  await tx.affect([d.serverAgentId])
  await writeAudit(
    tx.db,
    tx.actor,
    'device.delete',
    { type: 'device', id: d.id },
    { name: d.name, userId: d.userId, publicKey: d.publicKey },
  )
}
