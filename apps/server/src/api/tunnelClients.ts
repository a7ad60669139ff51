/** Tunnel clients: which server they connect to, their tunnel address and gateway settings. */
import {
  cidrContains,
  ErrorBody,
  Id,
  IdParams,
  Page,
  PageQuery,
  TunnelClient,
  TunnelClientUpdate,
} from '@wirewarp/protocol'
import { AppError, invalidFields, notFound } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { mutate } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { writeAudit } from '../store/auditLog.ts'
import { listPortForwards } from '../store/portForwards.ts'
import {
  getTunnelClient,
  listTunnelClients,
  toTunnelClient,
  updateTunnelClient,
  usedTunnelIps,
} from '../store/tunnelClients.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'
import { allocateTunnelIp, tunnelIpProblem } from '../tunnel/tunnelAddresses.ts'

const tags = ['tunnel-clients']

export function tunnelClientRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/tunnel-clients',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List tunnel clients, optionally of one tunnel server',
        querystring: PageQuery.extend({ tunnelServerId: Id.optional() }),
        response: { 200: Page(TunnelClient) },
      },
    },
    async (request) => listTunnelClients(ctx.db, request.query),
  )

  app.get(
    '/api/v1/tunnel-clients/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Get a tunnel client',
        params: IdParams,
        response: { 200: TunnelClient, 404: ErrorBody },
      },
    },
    async (request) => {
      const c = await getTunnelClient(ctx.db, request.params.id)
      if (!c) throw notFound('Tunnel client')
      return toTunnelClient(c)
    },
  )

  app.patch(
    '/api/v1/tunnel-clients/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change a tunnel client: its server, tunnel IP, gateway role, LAN networks and LAN IP',
        params: IdParams,
        body: TunnelClientUpdate,
        response: { 200: TunnelClient, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const b = request.body
      return mutate(ctx, async (trx, touch) => {
        const c = await getTunnelClient(trx, request.params.id)
        if (!c) throw notFound('Tunnel client')
        const serverId = b.tunnelServerId === undefined ? c.tunnelServerId : b.tunnelServerId
        const server = serverId ? await getTunnelServer(trx, serverId) : undefined
        if (serverId && !server)
          throw new AppError('not_found', 404, 'Tunnel server was not found.', {
            tunnelServerId: 'No such tunnel server',
          })

        if (serverId !== c.tunnelServerId) {
          const forwards = await listPortForwards(trx, { tunnelClientId: c.id, limit: 20, offset: 0 })
          if (forwards.total > 0)
            throw new AppError(
              'tunnel_client.has_forwards',
              409,
              `${c.name} has ${forwards.total} port forward(s) on its current server (${forwards.items
                .map((f) => `${f.protocol} ${f.publicPort}`)
                .join(', ')}). Delete or move them before connecting it to another server.`,
              { tunnelServerId: 'The client still has port forwards on its current server' },
            )
        }
        let tunnelIp = b.tunnelIp === undefined ? c.tunnelIp : b.tunnelIp
        if (!server) tunnelIp = null
        else {
          const used = await usedTunnelIps(trx, server.id, c.id)
          const moved = serverId !== c.tunnelServerId
          if (tunnelIp === null || (moved && b.tunnelIp === undefined)) {
            tunnelIp = allocateTunnelIp(server.tunnelNetworkV4, used)
            if (!tunnelIp)
              throw new AppError(
                'tunnel_server.full',
                409,
                `The tunnel network ${server.tunnelNetworkV4} of ${server.name} has no free address.`,
              )
          } else {
            // Taken is a conflict with another client (409); anything else is a bad address (400).
            if (used.has(tunnelIp))
              throw new AppError(
                'tunnel_client.ip_taken',
                409,
                `${tunnelIp} is already used by another client of ${server.name}.`,
                {
                  tunnelIp: 'Already used by another client of this server',
                },
              )
            const problem = tunnelIpProblem(server.tunnelNetworkV4, tunnelIp, used)
            if (problem) throw invalidFields({ tunnelIp: problem })
          }
        }
        const lanNetworks = b.lanNetworks ?? (JSON.parse(c.lanNetworks) as string[])
        const lanIp = b.lanIp === undefined ? c.lanIp : b.lanIp
        if (lanIp && lanNetworks.length > 0 && !lanNetworks.some((n) => cidrContains(n, lanIp)))
          throw new AppError('validation', 400, `LAN IP ${lanIp} is not inside any of the LAN networks.`, {
            lanIp: 'Must be inside one of the LAN networks',
          })

        await updateTunnelClient(trx, c.id, {
          ...(b.name !== undefined ? { name: b.name } : {}),
          tunnelServerId: serverId,
          tunnelIp,
          ...(b.isGateway !== undefined ? { isGateway: b.isGateway } : {}),
          lanNetworks: JSON.stringify(lanNetworks),
          lanIp,
        })
        const oldServer = c.tunnelServerId ? await getTunnelServer(trx, c.tunnelServerId) : undefined
        await touch([c.agentId, oldServer?.agentId, server?.agentId])
        await writeAudit(
          trx,
          actorOf(request),
          'tunnel_client.update',
          { type: 'tunnel_client', id: c.id },
          { ...b, tunnelIp },
        )
        return toTunnelClient((await getTunnelClient(trx, c.id))!)
      })
    },
  )
}
