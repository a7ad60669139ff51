/**
 * Gives tunnel clients their address on a tunnel server: the only place addresses are handed
 * out. Callers hold the server's lock (store/locks.ts), so two clients never get the same one;
 * the unique constraint on (server, address) refuses what a missing lock would let through.
 */
import type { Db } from '../db/database.ts'
import { invalidFields, tunnelIpTaken, tunnelNetworkFull } from '../errors.ts'
import { usedTunnelIps } from '../store/tunnelClients.ts'
import { allocateTunnelIp, tunnelIpProblem } from '../tunnel/tunnelAddresses.ts'

export interface AddressedServer {
  id: string
  name: string
  tunnelNetworkV4: string
}

/**
 * The address a client gets on `server`: `requested` when it is free and fits, else (when
 * `requested` is null) the lowest free one. `exceptClientId` is the client itself, whose
 * current address does not count as taken.
 */
export async function assignTunnelIp(
  db: Db,
  server: AddressedServer,
  requested: string | null,
  exceptClientId?: string,
): Promise<string> {
  const used = await usedTunnelIps(db, server.id, exceptClientId)
  if (requested === null) {
    const ip = allocateTunnelIp(server.tunnelNetworkV4, used)
    if (!ip) throw tunnelNetworkFull(server.tunnelNetworkV4, server.name)
    return ip
  }
  // Taken is a conflict with another client (409); anything else is a bad address (400).
  if (used.has(requested)) throw tunnelIpTaken(requested, server.name)
  const problem = tunnelIpProblem(server.tunnelNetworkV4, requested, used)
  if (problem) throw invalidFields({ tunnelIp: problem })
  return requested
}
