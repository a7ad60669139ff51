/**
 * The overview: how many agents are connected, tunnels up and forwards working, and for each that
 * is not, why. Forward states follow the same rules as the port forwards page: disabled; waiting
 * for the server agent (not connected, or it has not applied the change); tunnel down; working.
 */
import {
  type Agent,
  type ForwardWorking,
  OVERVIEW_ATTENTION_LIMIT,
  type Overview,
  type TunnelClient,
} from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import { listAgents } from '../store/agents.ts'
import { listForwardRevisions, listPortForwards } from '../store/portForwards.ts'
import { listTunnelClients } from '../store/tunnelClients.ts'
import { listTunnelServers } from '../store/tunnelServers.ts'
import { withTunnelState } from './tunnelState.ts'

const ALL = { limit: 1_000_000, offset: 0 }

type ForwardAttention = Overview['attention']['forwards'][number]

/** A forward's state, from its server agent and its client's tunnel (as ForwardApplied.tsx shows it). */
export function forwardWorking(
  enabled: boolean,
  serverAgent: Pick<Agent, 'status' | 'appliedRevision'> | undefined,
  changedRevision: number,
  tunnel: TunnelClient['tunnel'] | undefined,
): ForwardWorking {
  if (!enabled) return 'disabled'
  if (serverAgent?.status !== 'connected') return 'offline'
  if (serverAgent.appliedRevision < changedRevision) return 'pending'
  return tunnel?.state === 'up' ? 'working' : 'tunnel_down'
}

function forwardMessage(
  state: ForwardAttention['state'],
  serverAgent: Pick<Agent, 'status'> | undefined,
  tunnel: TunnelClient['tunnel'] | undefined,
): string {
  switch (state) {
    case 'offline':
      return serverAgent?.status === 'pending'
        ? "waiting for the agent: the server's agent has never connected"
        : "waiting for the agent: the server's agent is disconnected"
    case 'pending':
      return 'waiting for the agent to apply this change'
    case 'tunnel_down':
      return `tunnel down: ${tunnel?.message ?? 'the tunnel client is gone'}`
  }
}

/** A fixed number of queries, plus three per tunnel server (its state report and forward revisions). */
export async function buildOverview(db: Db): Promise<Overview> {
  const [agents, servers, records, forwards] = await Promise.all([
    listAgents(db, ALL),
    listTunnelServers(db, ALL),
    listTunnelClients(db, ALL),
    listPortForwards(db, ALL),
  ])
  const clients = await withTunnelState(db, records.items)
  const revisions = new Map<string, number>()
  for (const s of servers.items)
    for (const r of await listForwardRevisions(db, s.id)) revisions.set(r.id, Number(r.changedRevision))

  const agentById = new Map(agents.items.map((a) => [a.id, a]))
  const serverById = new Map(servers.items.map((s) => [s.id, s]))
  const clientById = new Map(clients.map((c) => [c.id, c]))
  const count = <T>(items: T[], pick: (x: T) => boolean) => items.filter(pick).length

  const forwardStates = forwards.items.map((f) => {
    const server = serverById.get(f.tunnelServerId)
    const serverAgent = server ? agentById.get(server.agentId) : undefined
    const tunnel = clientById.get(f.tunnelClientId)?.tunnel
    const state = forwardWorking(f.enabled, serverAgent, revisions.get(f.id) ?? 0, tunnel)
    return { f, server, serverAgent, tunnel, state }
  })
  const downClients = clients.filter((c) => c.tunnel.state === 'down')
  // An uninstalled agent is gone on purpose: nothing to attend to.
  const idleAgents = agents.items.filter((a) => a.status !== 'connected' && !a.uninstalledAt)

  return {
    agents: {
      total: agents.total,
      connected: count(agents.items, (a) => a.status === 'connected'),
      disconnected: count(agents.items, (a) => a.status === 'disconnected' && !a.uninstalledAt),
      pending: count(agents.items, (a) => a.status === 'pending'),
      uninstalled: count(agents.items, (a) => a.status !== 'connected' && !!a.uninstalledAt),
    },
    tunnels: { total: clients.length, up: clients.length - downClients.length, down: downClients.length },
    forwards: {
      total: forwards.total,
      working: count(forwardStates, (x) => x.state === 'working'),
      notWorking: count(forwardStates, (x) => x.state !== 'working' && x.state !== 'disabled'),
      disabled: count(forwardStates, (x) => x.state === 'disabled'),
    },
    attention: {
      agents: idleAgents.slice(0, OVERVIEW_ATTENTION_LIMIT).map((a) => ({
        id: a.id,
        name: a.name,
        kind: a.kind,
        status: a.status,
        lastSeenAt: a.lastSeenAt,
        tunnelServerId: a.tunnelServerId,
        tunnelClientId: a.tunnelClientId,
      })),
      tunnels: downClients.slice(0, OVERVIEW_ATTENTION_LIMIT).map((c) => ({
        id: c.id,
        name: c.name,
        tunnelServerId: c.tunnelServerId,
        tunnelServerName: c.tunnelServerId ? (serverById.get(c.tunnelServerId)?.name ?? null) : null,
        reason: c.tunnel.reason ?? 'no_report',
        message: c.tunnel.message ?? '',
      })),
      forwards: forwardStates
        .filter(
          (x): x is typeof x & { state: ForwardAttention['state'] } => x.state !== 'working' && x.state !== 'disabled',
        )
        .sort((a, b) => (a.server?.name ?? '').localeCompare(b.server?.name ?? ''))
        .slice(0, OVERVIEW_ATTENTION_LIMIT)
        .map(({ f, server, serverAgent, tunnel, state }) => ({
          id: f.id,
          tunnelServerId: f.tunnelServerId,
          tunnelServerName: server?.name ?? '',
          tunnelClientId: f.tunnelClientId,
          tunnelClientName: clientById.get(f.tunnelClientId)?.name ?? null,
          protocol: f.protocol,
          publicPort: f.publicPort,
          publicPortEnd: f.publicPortEnd,
          destinationIp: f.destinationIp,
          destinationPort: f.destinationPort,
          description: f.description,
          state,
          message: forwardMessage(state, serverAgent, tunnel),
        })),
    },
  }
}
