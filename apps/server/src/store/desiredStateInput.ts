/** Loads the rows an agent's desired state is computed from (see hub/computeDesiredState.ts). */
import type { Db } from '../db/database.ts'
import type { TunnelClientRow, TunnelServerRow } from '../db/schema.ts'
import type { ClientInput, DesiredStateInput, ForwardInput, ServerInput, VpnInput } from '../hub/computeDesiredState.ts'
import { devicesOfServer } from './devices.ts'
import { epochSubquery } from './epoch.ts'
import { parseJsonColumn, StringList } from './rows.ts'
import { rulesForServer } from './rules.ts'
import { getVpnSettings } from './vpnSettings.ts'

function serverInput(s: TunnelServerRow): ServerInput {
  return {
    name: s.name,
    publicIp: s.publicIp,
    publicInterface: s.publicInterface,
    wgPort: s.wgPort,
    wgInterface: s.wgInterface,
    wgPublicKey: s.wgPublicKey,
    tunnelNetworkV4: s.tunnelNetworkV4,
    tunnelNetworkV6: s.tunnelNetworkV6,
    mtu: s.mtu,
    deviceNetworkV4: s.deviceNetworkV4,
    deviceNetworkV6: s.deviceNetworkV6,
  }
}

function clientInput(c: TunnelClientRow): ClientInput {
  return {
    id: c.id,
    name: c.name,
    tunnelIp: c.tunnelIp,
    wgPublicKey: c.wgPublicKey,
    isGateway: c.isGateway,
    lanNetworks: parseJsonColumn(c.lanNetworks, StringList, []),
    lanIp: c.lanIp,
  }
}

async function forwardsWhere(db: Db, column: 'tunnelServerId' | 'tunnelClientId', id: string): Promise<ForwardInput[]> {
  const rows = await db.selectFrom('portForwards').selectAll().where(column, '=', id).execute()
  return rows.map((f) => ({
    id: f.id,
    tunnelClientId: f.tunnelClientId,
    protocol: f.protocol,
    publicPort: f.publicPort,
    publicPortEnd: f.publicPortEnd,
    destinationIp: f.destinationIp,
    destinationPort: f.destinationPort,
    enabled: f.enabled,
    preserveClientIp: f.preserveClientIp,
  }))
}

/**
 * Opens a sealed preshared key for the agent's state; null leaves every preshared key out (a
 * state shown to people rather than sent to the agent).
 */
export type OpenSecret = ((sealed: string) => string) | null

async function vpnInput(db: Db, tunnelServerId: string, open: OpenSecret): Promise<VpnInput> {
  const devices = await devicesOfServer(db, tunnelServerId)
  const users = [...new Set(devices.map((d) => d.userId))]
  return {
    defaultPolicy: (await getVpnSettings(db)).defaultPolicy,
    devices: devices.map((d) => {
      let presharedKey: string | null = null
      // A key sealed under another secret cannot be opened: the device goes without one.
      if (d.presharedKey && open)
        try {
          presharedKey = open(d.presharedKey)
        } catch {
          presharedKey = null
        }
      return {
        id: d.id,
        userId: d.userId,
        publicKey: d.publicKey,
        presharedKey,
        hostOffset: d.hostOffset,
        enabled: d.enabled,
        userDisabled: d.userDisabled,
      }
    }),
    rules: users.length > 0 ? await rulesForServer(db, tunnelServerId, users) : [],
  }
}

/** Null when the agent does not exist (deleted in the meantime). */
export async function loadDesiredStateInput(
  db: Db,
  agentId: string,
  open: OpenSecret,
): Promise<DesiredStateInput | null> {
  const agent = await db
    .selectFrom('agents')
    .select(['kind', 'desiredRevision'])
    // In the same statement as the revision: the epoch and the revision it labels go together.
    .select(() => epochSubquery(db).as('epoch'))
    .where('id', '=', agentId)
    .executeTakeFirst()
  if (!agent) return null
  const revision = Number(agent.desiredRevision)
  const epoch = agent.epoch ?? ''
  if (agent.kind === 'server') {
    const server = await db.selectFrom('tunnelServers').selectAll().where('agentId', '=', agentId).executeTakeFirst()
    if (!server) return null
    const clients = await db.selectFrom('tunnelClients').selectAll().where('tunnelServerId', '=', server.id).execute()
    return {
      mode: 'server',
      epoch,
      revision,
      server: serverInput(server),
      clients: clients.map(clientInput),
      forwards: await forwardsWhere(db, 'tunnelServerId', server.id),
      vpn: await vpnInput(db, server.id, open),
    }
  }
  const client = await db.selectFrom('tunnelClients').selectAll().where('agentId', '=', agentId).executeTakeFirst()
  if (!client) return null
  const server = client.tunnelServerId
    ? await db.selectFrom('tunnelServers').selectAll().where('id', '=', client.tunnelServerId).executeTakeFirst()
    : undefined
  return {
    mode: 'client',
    epoch,
    revision,
    client: clientInput(client),
    server: server ? serverInput(server) : null,
    forwards: await forwardsWhere(db, 'tunnelClientId', client.id),
  }
}
