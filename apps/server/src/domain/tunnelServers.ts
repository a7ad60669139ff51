/**
 * Tunnel servers as changes to the model: public address and interface, WireGuard port,
 * tunnel networks, MTU, DNS. A change takes the server's lock (its clients' addresses and its
 * forwards' ports are checked against it) and affects the server and all its clients.
 */
import { cidrContains, cidrsOverlap, type TunnelServer, type TunnelServerUpdate } from '@wirewarp/protocol'
import { deviceNetworkProblem, networkInUse, notFound, wgPortTaken } from '../errors.ts'
import { writeAudit } from '../store/auditLog.ts'
import { highestDeviceOffset } from '../store/devices.ts'
import { lockTunnelServer } from '../store/locks.ts'
import { findOverlappingForward } from '../store/portForwards.ts'
import { listTunnelClients } from '../store/tunnelClients.ts'
import { getTunnelServer, toTunnelServer, updateTunnelServer } from '../store/tunnelServers.ts'
import { deviceNetworkProblem as problemOf } from '../tunnel/deviceAddresses.ts'
import { serverTunnelIp } from '../tunnel/tunnelAddresses.ts'
import type { Tx } from './change.ts'
import { describeForward } from './portForwards.ts'

export async function changeTunnelServer(tx: Tx, id: string, b: TunnelServerUpdate): Promise<TunnelServer> {
  if (!(await lockTunnelServer(tx.db, id))) throw notFound('Tunnel server')
  const s = (await getTunnelServer(tx.db, id))!
  const clients = (await listTunnelClients(tx.db, { tunnelServerId: s.id, limit: 100_000, offset: 0 })).items

  if (b.tunnelNetworkV4 && b.tunnelNetworkV4 !== s.tunnelNetworkV4) {
    const network = b.tunnelNetworkV4
    const newServerIp = serverTunnelIp(network)
    const misfits = clients.filter(
      (c) => c.tunnelIp && (!cidrContains(network, c.tunnelIp) || c.tunnelIp === newServerIp),
    )
    if (misfits.length > 0)
      throw networkInUse(
        network,
        misfits.map((c) => `${c.name} (${c.tunnelIp})`),
      )
  }
  if (b.wgPort && b.wgPort !== s.wgPort) {
    const f = await findOverlappingForward(tx.db, {
      tunnelServerId: s.id,
      protocol: 'udp',
      publicPort: b.wgPort,
      publicPortEnd: null,
    })
    if (f) throw wgPortTaken(b.wgPort, describeForward(f))
  }

  // The device networks hold every device's offset, and meet neither the tunnel networks nor a
  // network a site routes (a device could not tell a LAN host from another device).
  const v4 = b.deviceNetworkV4 ?? s.deviceNetworkV4
  const v6 = b.deviceNetworkV6 !== undefined ? b.deviceNetworkV6 : s.deviceNetworkV6
  const networksChange = [b.deviceNetworkV4, b.deviceNetworkV6, b.tunnelNetworkV4, b.tunnelNetworkV6].some(
    (n) => n !== undefined,
  )
  if (networksChange) {
    const field = v4 !== s.deviceNetworkV4 || v6 === s.deviceNetworkV6 ? 'deviceNetworkV4' : 'deviceNetworkV6'
    const problem = problemOf(v4, v6, await highestDeviceOffset(tx.db, s.id))
    if (problem) throw deviceNetworkProblem(field, problem)
    const tunnels = [b.tunnelNetworkV4 ?? s.tunnelNetworkV4, b.tunnelNetworkV6 ?? s.tunnelNetworkV6]
    for (const [net, f] of [
      [v4, 'deviceNetworkV4'],
      [v6, 'deviceNetworkV6'],
    ] as const) {
      if (!net) continue
      const tunnel = tunnels.find((t) => t && cidrsOverlap(t, net))
      if (tunnel) throw deviceNetworkProblem(f, `${net} overlaps the tunnel network ${tunnel}`)
      const site = clients.find((c) => c.lanNetworks.some((l) => cidrsOverlap(l, net)))
      if (site) throw deviceNetworkProblem(f, `${net} overlaps a LAN network of ${site.name}`)
    }
  }

  const { dns, clientAllowedIps, ...rest } = b
  await updateTunnelServer(tx.db, s.id, {
    ...rest,
    ...(dns ? { dns: JSON.stringify(dns) } : {}),
    ...(clientAllowedIps ? { clientAllowedIps: JSON.stringify(clientAllowedIps) } : {}),
  })
  await tx.affect([s.agentId, ...clients.map((c) => c.agentId)])
  await writeAudit(tx.db, tx.actor, 'tunnel_server.update', { type: 'tunnel_server', id: s.id }, b)
  return toTunnelServer((await getTunnelServer(tx.db, s.id))!)
}
