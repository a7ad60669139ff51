/** Tunnel clients: which server they connect to, their tunnel address and gateway settings. */
import { ErrorBody, Id, IdParams, Page, PageQuery, TunnelClient, TunnelClientUpdate } from '@wirewarp/protocol'
import { changeTunnelClient } from '../domain/tunnelClients.ts'
import { notFound } from '../errors.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { getTunnelClient, listTunnelClients, toTunnelClient } from '../store/tunnelClients.ts'

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
      return change(ctx, request, (tx) => changeTunnelClient(tx, request.params.id, request.body))
    },
  )
}
