/** Tunnel servers: list, read and change their WireGuard and network settings. */
import {
  ErrorBody,
  IdParams,
  MetricsSample,
  Page,
  PageQuery,
  TunnelServer,
  TunnelServerStatus,
  TunnelServerUpdate,
} from '@wirewarp/protocol'
import { changeTunnelServer } from '../domain/tunnelServers.ts'
import { notFound } from '../errors.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { getAgent } from '../store/agents.ts'
import { listMetrics } from '../store/metrics.ts'
import { listForwardRevisions } from '../store/portForwards.ts'
import { listTunnelClients } from '../store/tunnelClients.ts'
import { getTunnelServer, listTunnelServers, toTunnelServer } from '../store/tunnelServers.ts'

const tags = ['tunnel-servers']

export function tunnelServerRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/tunnel-servers',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'List tunnel servers', querystring: PageQuery, response: { 200: Page(TunnelServer) } },
    },
    async (request) => listTunnelServers(ctx.db, request.query),
  )

  app.get(
    '/api/v1/tunnel-servers/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Get a tunnel server',
        params: IdParams,
        response: { 200: TunnelServer, 404: ErrorBody },
      },
    },
    async (request) => {
      const s = await getTunnelServer(ctx.db, request.params.id)
      if (!s) throw notFound('Tunnel server')
      return toTunnelServer(s)
    },
  )

  app.patch(
    '/api/v1/tunnel-servers/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change a tunnel server: public IP and interface, WireGuard port, tunnel networks, MTU, DNS',
        params: IdParams,
        body: TunnelServerUpdate,
        response: { 200: TunnelServer, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      return change(ctx, request, (tx) => changeTunnelServer(tx, request.params.id, request.body))
    },
  )

  app.get(
    '/api/v1/tunnel-servers/:id/status',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Applied state, peers (handshakes, traffic) and per-forward traffic as the server agent last reported',
        params: IdParams,
        response: { 200: TunnelServerStatus, 404: ErrorBody },
      },
    },
    async (request) => {
      const s = await getTunnelServer(ctx.db, request.params.id)
      if (!s) throw notFound('Tunnel server')
      const agent = (await getAgent(ctx.db, s.agentId))!
      const [latest] = await listMetrics(ctx.db, s.agentId, { limit: 1 })
      const sample = latest ? MetricsSample.safeParse(latest.sample) : undefined
      const stats = sample?.success ? sample.data : undefined
      const clients = (await listTunnelClients(ctx.db, { tunnelServerId: s.id, limit: 100_000, offset: 0 })).items
      const byKey = new Map(clients.filter((c) => c.wgPublicKey).map((c) => [c.wgPublicKey!, c]))
      const forwards = await listForwardRevisions(ctx.db, s.id)
      const traffic = new Map((stats?.forwards ?? []).map((f) => [f.id, f]))
      return {
        agent: {
          status: agent.status,
          desiredRevision: Number(agent.desiredRevision),
          appliedRevision: Number(agent.appliedRevision),
          lastApplyError: agent.lastApplyError,
          lastAppliedAt: agent.lastAppliedAt,
        },
        sampledAt: stats ? latest!.at : null,
        peersReported: stats?.peers !== undefined,
        peers: (stats?.peers ?? []).map((p) => {
          const c = byKey.get(p.publicKey)
          return { ...p, tunnelClientId: c?.id ?? null, name: c?.name ?? null, tunnelIp: c?.tunnelIp ?? null }
        }),
        forwards: forwards.map((f) => ({
          id: f.id,
          applied: Number(agent.appliedRevision) >= Number(f.changedRevision),
          packets: traffic.get(f.id)?.packets ?? null,
          bytes: traffic.get(f.id)?.bytes ?? null,
        })),
      }
    },
  )
}
