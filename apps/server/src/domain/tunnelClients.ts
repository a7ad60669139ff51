/**
 * Tunnel clients as changes to the model: which server a client connects to, its tunnel
 * address, gateway role and LAN. A change locks the servers it involves (old and new, in id
 * order) before it checks addresses, and names the agents on both ends.
 */
import { cidrContains, cidrsOverlap, type TunnelClientUpdate } from '@wirewarp/protocol'
import {
  clientHasForwards,
  gatewayWithoutLan,
  invalidFields,
  lanIpOutside,
  notFound,
  tunnelServerNotFound,
} from '../errors.ts'
import { writeAudit } from '../store/auditLog.ts'
import { lockTunnelServers } from '../store/locks.ts'
import { listPortForwards } from '../store/portForwards.ts'
import { getTunnelClient, type TunnelClientRecord, toTunnelClient, updateTunnelClient } from '../store/tunnelClients.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'
import type { Tx } from './change.ts'
import { assignTunnelIp } from './tunnelAddresses.ts'

export async function changeTunnelClient(tx: Tx, id: string, b: TunnelClientUpdate): Promise<TunnelClientRecord> {
  const found = await getTunnelClient(tx.db, id)
  if (!found) throw notFound('Tunnel client')
  const serverId = b.tunnelServerId === undefined ? found.tunnelServerId : b.tunnelServerId
  await lockTunnelServers(tx.db, [found.tunnelServerId, serverId])
  // Read again under the locks: another change to this client may have committed meanwhile.
  const c = await getTunnelClient(tx.db, id)
  if (!c) throw notFound('Tunnel client')
  const current = toTunnelClient(c)
  const server = serverId ? await getTunnelServer(tx.db, serverId) : undefined
  if (serverId && !server) throw tunnelServerNotFound()

  const moved = serverId !== c.tunnelServerId
  if (moved) {
    const forwards = await listPortForwards(tx.db, { tunnelClientId: c.id, limit: 20, offset: 0 })
    if (forwards.total > 0)
      throw clientHasForwards(
        c.name,
        forwards.total,
        forwards.items.map((f) => `${f.protocol} ${f.publicPort}`).join(', '),
      )
  }
  let tunnelIp: string | null = null
  if (server) {
    const requested = b.tunnelIp === undefined ? (moved ? null : c.tunnelIp) : b.tunnelIp
    tunnelIp = await assignTunnelIp(tx.db, server, requested, c.id)
  }
  const lanNetworks = b.lanNetworks ?? current.lanNetworks
  const lanIp = b.lanIp === undefined ? c.lanIp : b.lanIp
  if (lanIp && lanNetworks.length > 0 && !lanNetworks.some((n) => cidrContains(n, lanIp))) throw lanIpOutside(lanIp)
  if ((b.isGateway ?? c.isGateway) && lanNetworks.length === 0) throw gatewayWithoutLan()
  // Devices of the server reach the LAN through it: their network must not be the LAN's.
  if (server && (b.lanNetworks !== undefined || moved)) {
    const clash = lanNetworks.find((l) =>
      [server.deviceNetworkV4, server.deviceNetworkV6].some((d) => d && cidrsOverlap(l, d)),
    )
    if (clash)
      throw invalidFields({
        lanNetworks: `${clash} overlaps the device network of ${server.name}; change one of them`,
      })
  }

  await updateTunnelClient(tx.db, c.id, {
    ...(b.name !== undefined ? { name: b.name } : {}),
    tunnelServerId: serverId,
    tunnelIp,
    ...(b.isGateway !== undefined ? { isGateway: b.isGateway } : {}),
    lanNetworks: JSON.stringify(lanNetworks),
    lanIp,
  })
  const oldServer = c.tunnelServerId ? await getTunnelServer(tx.db, c.tunnelServerId) : undefined
  await tx.affect([c.agentId, oldServer?.agentId, server?.agentId])
  await writeAudit(tx.db, tx.actor, 'tunnel_client.update', { type: 'tunnel_client', id: c.id }, { ...b, tunnelIp })
  return toTunnelClient((await getTunnelClient(tx.db, c.id))!)
}
