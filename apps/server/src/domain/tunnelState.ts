/**
 * Whether each tunnel client's tunnel is up, from what its tunnel server's agent last reported:
 * up when that agent saw a WireGuard handshake with the client's key less than
 * TUNNEL_UP_WITHIN_SECONDS ago; otherwise down, with the first reason that explains it.
 */
import {
  MetricsSample,
  TUNNEL_UP_WITHIN_SECONDS,
  type TunnelClient,
  type TunnelDownReason,
  type TunnelState,
} from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import { listMetrics } from '../store/metrics.ts'
import type { TunnelClientRecord } from '../store/tunnelClients.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'

interface ServerView {
  publicIp: string | null
  agentConnected: boolean
  /** Latest handshake per peer key, from the agent's last sample; null before any sample. */
  handshakes: Map<string, string | null> | null
}

async function viewServer(db: Db, id: string): Promise<ServerView | null> {
  const s = await getTunnelServer(db, id)
  if (!s) return null
  const [latest] = await listMetrics(db, s.agentId, { limit: 1 })
  const sample = latest ? MetricsSample.safeParse(latest.sample) : null
  const peers = sample?.success ? sample.data.peers : undefined
  return {
    publicIp: s.publicIp,
    agentConnected: s.status === 'connected',
    handshakes: peers ? new Map(peers.map((p) => [p.publicKey, p.latestHandshakeAt])) : null,
  }
}

function down(reason: TunnelDownReason, message: string, latestHandshakeAt: string | null = null): TunnelState {
  return { state: 'down', reason, message, latestHandshakeAt }
}

export function tunnelStateOf(c: TunnelClientRecord, server: ServerView | null, now = Date.now()): TunnelState {
  if (!c.tunnelServerId || !server) return down('no_server', 'not attached to a tunnel server')
  if (!server.publicIp) return down('no_public_ip', 'the server has no public IP')
  if (!c.wgPublicKey) return down('no_key', 'no key yet: the client agent has not connected')
  if (!server.agentConnected) return down('server_agent_disconnected', "the tunnel server's agent is disconnected")
  if (!server.handshakes) return down('no_report', 'no report from the tunnel server yet')
  const at = server.handshakes.get(c.wgPublicKey) ?? null
  if (!at) return down('never_handshaken', 'never handshaken')
  const ageMs = now - Date.parse(at)
  if (!(ageMs < TUNNEL_UP_WITHIN_SECONDS * 1000)) {
    const minutes = Math.max(1, Math.round(ageMs / 60_000))
    return down('handshake_stale', `last handshake ${minutes} minute${minutes === 1 ? '' : 's'} ago`, at)
  }
  return { state: 'up', reason: null, message: null, latestHandshakeAt: at }
}

/** The clients with their tunnel state; each server involved is read once. */
export async function withTunnelState(db: Db, clients: TunnelClientRecord[]): Promise<TunnelClient[]> {
  const views = new Map<string, ServerView | null>()
  for (const id of new Set(clients.map((c) => c.tunnelServerId).filter((x): x is string => x !== null)))
    views.set(id, await viewServer(db, id))
  const now = Date.now()
  return clients.map((c) => ({
    ...c,
    tunnel: tunnelStateOf(c, c.tunnelServerId ? (views.get(c.tunnelServerId) ?? null) : null, now),
  }))
}
