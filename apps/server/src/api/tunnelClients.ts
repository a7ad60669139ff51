/** Tunnel clients: which server they connect to, their tunnel address and gateway settings. */
import { ErrorBody, Id, IdParams, Page, PageQuery, TunnelClient, TunnelClientUpdate } from '@wirewarp/protocol'
import { changeTunnelClient } from '../domain/tunnelClients.ts'
import { withTunnelState } from '../domain/tunnelState.ts'
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
        summary:
          'List tunnel clients, optionally of one tunnel server, each with its tunnel state (up, or down and why)',
        querystring: PageQuery.extend({ tunnelServerId: Id.optional() }),
        response: { 200: Page(TunnelClient) },
      },
    },
    async (request) => {
      const found = await listTunnelClients(ctx.db, request.query)
      return { ...found, items: await withTunnelState(ctx.db, found.items) }
    },
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
      const [client] = await withTunnelState(ctx.db, [toTunnelClient(c)])
      return client!
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
      const changed = await change(ctx, request, (tx) => changeTunnelClient(tx, request.params.id, request.body))
      const [client] = await withTunnelState(ctx.db, [changed])
      return client!
    },
  )
}
