/**
 * Devices' traffic as their tunnel server's agent reports it: the latest report per device
 * (overwritten every cycle) and a history downsampled to one row per device per bucket, never a
 * JSON document per sample.
 */
import type { MetricsSample } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'

/** One history row per device per this many milliseconds: the counters at the bucket's start. */
export const TRAFFIC_BUCKET_MS = 5 * 60_000
// Parameters per statement stay far below SQLite's limit (32,766) and PostgreSQL's (65,535).
const CHUNK = 1000

/** The bucket whose history rows this process last wrote, per tunnel server. */
const historyWritten = new Map<string, string>()

type Peer = NonNullable<MetricsSample['peers']>[number]

/** A counter as an agent sent it, made safe for a bigint column: whole, not negative, finite. */
export function counterValue(x: number): number {
  return Number.isFinite(x) && x > 0 ? Math.min(Math.floor(x), Number.MAX_SAFE_INTEGER) : 0
}

/** A handshake time as an agent sent it: an ISO time the database takes, else none. */
export function handshakeTime(at: string | null): string | null {
  if (at === null) return null
  const t = Date.parse(at)
  return Number.isFinite(t) ? new Date(t).toISOString() : null
}

/**
 * Stores the reports of the peers that are devices of this tunnel server; returns the other peers
 * (the sites), which stay in the agent's metrics sample.
 */
export async function recordDeviceStats(db: Db, tunnelServerId: string, peers: Peer[], at: Date): Promise<Peer[]> {
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'publicKey'])
    .where('tunnelServerId', '=', tunnelServerId)
    .execute()
  if (devices.length === 0) return peers
  const byKey = new Map(devices.map((d) => [d.publicKey, d.id]))
  const rest: Peer[] = []
  const rows: {
    deviceId: string
    latestHandshakeAt: string | null
    rxBytes: number
    txBytes: number
    endpoint: string | null
    updatedAt: string
  }[] = []
  const updatedAt = at.toISOString()
  for (const p of peers) {
    const deviceId = byKey.get(p.publicKey)
    if (!deviceId) rest.push(p)
    else
      rows.push({
        deviceId,
        latestHandshakeAt: handshakeTime(p.latestHandshakeAt),
        rxBytes: counterValue(p.rxBytes),
        txBytes: counterValue(p.txBytes),
        endpoint: p.endpoint,
        updatedAt,
      })
  }
  const bucket = new Date(Math.floor(at.getTime() / TRAFFIC_BUCKET_MS) * TRAFFIC_BUCKET_MS).toISOString()
  // History once per bucket and server in this process (the primary key keeps other processes'
  // rows single too); a device added mid-bucket starts its history with the next one.
  const writeHistory = historyWritten.get(tunnelServerId) !== bucket
  // One transaction: one commit for the whole cycle rather than one per statement.
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK)
      await trx
        .insertInto('deviceStats')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('deviceId').doUpdateSet((eb) => ({
            latestHandshakeAt: eb.ref('excluded.latestHandshakeAt'),
            rxBytes: eb.ref('excluded.rxBytes'),
            txBytes: eb.ref('excluded.txBytes'),
            endpoint: eb.ref('excluded.endpoint'),
            updatedAt: eb.ref('excluded.updatedAt'),
          })),
        )
        .execute()
      // The first report in a bucket stands for it; later ones in the same bucket change nothing.
      if (writeHistory)
        await trx
          .insertInto('deviceTraffic')
          .values(chunk.map((r) => ({ deviceId: r.deviceId, bucket, rxBytes: r.rxBytes, txBytes: r.txBytes })))
          .onConflict((oc) => oc.columns(['deviceId', 'bucket']).doNothing())
          .execute()
    }
  })
  historyWritten.set(tunnelServerId, bucket)
  return rest
}

/** A device's traffic history, oldest first. */
export async function listDeviceTraffic(db: Db, deviceId: string, from: string) {
  const rows = await db
    .selectFrom('deviceTraffic')
    .select(['bucket', 'rxBytes', 'txBytes'])
    .where('deviceId', '=', deviceId)
    .where('bucket', '>=', from)
    .orderBy('bucket')
    .execute()
  return rows.map((r) => ({ at: r.bucket, rxBytes: Number(r.rxBytes), txBytes: Number(r.txBytes) }))
}

export async function deleteDeviceTrafficBefore(db: Db, before: string): Promise<number> {
  const r = await db.deleteFrom('deviceTraffic').where('bucket', '<', before).executeTakeFirst()
  return Number(r.numDeletedRows)
}
