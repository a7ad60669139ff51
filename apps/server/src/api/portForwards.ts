/** Port forwards: CRUD, enable/disable, and creation from a service template. */
import {
  ErrorBody,
  forwardRangeIssues,
  IdParams,
  Page,
  PortForward,
  PortForwardCreate,
  PortForwardFromTemplate,
  PortForwardList,
  PortForwardQuery,
  PortForwardUpdate,
} from '@wirewarp/protocol'
import { z } from 'zod'
import type { Db } from '../db/database.ts'
import type { PortForwardRow } from '../db/schema.ts'
import { AppError, invalidFields, notFound } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { mutate } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { writeAudit } from '../store/auditLog.ts'
import {
  deletePortForward,
  findOverlappingForward,
  getPortForward,
  insertPortForward,
  listPortForwards,
  stampForwardRevision,
  toPortForward,
  updatePortForward,
} from '../store/portForwards.ts'
import { getServiceTemplate, toServiceTemplate } from '../store/serviceTemplates.ts'
import { getTunnelClient } from '../store/tunnelClients.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'

const tags = ['port-forwards']
type ForwardFields = Omit<PortForwardRow, 'id' | 'createdAt' | 'updatedAt' | 'changedRevision'>

function describeForward(
  f: Pick<PortForwardRow, 'protocol' | 'publicPort' | 'publicPortEnd' | 'description' | 'id'>,
): string {
  const ports =
    f.publicPortEnd && f.publicPortEnd !== f.publicPort ? `${f.publicPort}–${f.publicPortEnd}` : `${f.publicPort}`
  return `${f.protocol} ${ports}${f.description ? ` "${f.description}"` : ''} (id ${f.id})`
}

/**
 * Checks a whole forward against the database: both ends exist and belong together, and its
 * ports are free on the server. Returns the agents whose desired state it touches.
 */
async function checkForward(db: Db, f: ForwardFields, exceptId?: string): Promise<string[]> {
  const issues = forwardRangeIssues(f)
  if (issues.length > 0) throw invalidFields(Object.fromEntries(issues.map((i) => [i.path, i.message])))

  const server = await getTunnelServer(db, f.tunnelServerId)
  if (!server)
    throw new AppError('not_found', 404, 'Tunnel server was not found.', { tunnelServerId: 'No such tunnel server' })
  const client = await getTunnelClient(db, f.tunnelClientId)
  if (!client)
    throw new AppError('not_found', 404, 'Tunnel client was not found.', { tunnelClientId: 'No such tunnel client' })
  if (client.tunnelServerId !== server.id)
    throw invalidFields({ tunnelClientId: `${client.name} is not connected to the tunnel server ${server.name}` })

  const end = f.publicPortEnd ?? f.publicPort
  if (f.protocol !== 'tcp' && f.publicPort <= server.wgPort && server.wgPort <= end)
    throw new AppError(
      'forward.conflict',
      409,
      `UDP port ${server.wgPort} is the WireGuard port of ${server.name}; choose another public port.`,
      { publicPort: 'Is the WireGuard port of this server' },
    )
  const other = await findOverlappingForward(db, f, exceptId)
  if (other)
    throw new AppError(
      'forward.conflict',
      409,
      `The ports overlap the forward ${describeForward(other)} on ${server.name}.`,
      { publicPort: `Overlaps forward ${other.id}` },
    )
  return [server.agentId, client.agentId]
}

export function portForwardRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/port-forwards',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List port forwards, optionally of one server or client',
        querystring: PortForwardQuery,
        response: { 200: Page(PortForward) },
      },
    },
    async (request) => listPortForwards(ctx.db, request.query),
  )

  app.post(
    '/api/v1/port-forwards',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create a port forward',
        body: PortForwardCreate,
        response: { 201: PortForward, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body
      const fields: ForwardFields = {
        tunnelServerId: b.tunnelServerId,
        tunnelClientId: b.tunnelClientId,
        protocol: b.protocol,
        publicPort: b.publicPort,
        publicPortEnd: b.publicPortEnd ?? null,
        destinationIp: b.destinationIp,
        destinationPort: b.destinationPort,
        description: b.description,
        enabled: b.enabled,
        preserveClientIp: b.preserveClientIp,
      }
      const row = await mutate(ctx, async (trx, touch) => {
        const agents = await checkForward(trx, fields)
        const row = await insertPortForward(trx, fields)
        await touch(agents)
        await stampForwardRevision(trx, [row.id], fields.tunnelServerId)
        await writeAudit(trx, actorOf(request), 'port_forward.create', { type: 'port_forward', id: row.id }, fields)
        return row
      })
      return reply.status(201).send(toPortForward(row))
    },
  )

  app.post(
    '/api/v1/port-forwards/from-template',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create the forwards of a service template on one server, all or none',
        body: PortForwardFromTemplate,
        response: { 201: PortForwardList, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body
      const rows = await mutate(ctx, async (trx, touch) => {
        const t = await getServiceTemplate(trx, b.templateId)
        if (!t)
          throw new AppError('not_found', 404, 'Service template was not found.', { templateId: 'No such template' })
        const template = toServiceTemplate(t)
        const rows: PortForwardRow[] = []
        const agents = new Set<string>()
        for (const p of template.ports) {
          const fields: ForwardFields = {
            tunnelServerId: b.tunnelServerId,
            tunnelClientId: b.tunnelClientId,
            protocol: p.protocol,
            publicPort: p.port,
            publicPortEnd: p.portEnd ?? null,
            destinationIp: b.destinationIp,
            destinationPort: p.port,
            description: template.name.slice(0, 200),
            enabled: b.enabled,
            preserveClientIp: b.preserveClientIp,
          }
          // Checked one by one after each insert, so ports within the template cannot collide either.
          for (const a of await checkForward(trx, fields)) agents.add(a)
          rows.push(await insertPortForward(trx, fields))
        }
        await touch(agents)
        await stampForwardRevision(
          trx,
          rows.map((r) => r.id),
          b.tunnelServerId,
        )
        await writeAudit(
          trx,
          actorOf(request),
          'port_forward.create_from_template',
          { type: 'service_template', id: t.id },
          {
            template: template.name,
            tunnelServerId: b.tunnelServerId,
            forwardIds: rows.map((r) => r.id),
          },
        )
        return rows
      })
      return reply.status(201).send({ items: rows.map(toPortForward) })
    },
  )

  app.get(
    '/api/v1/port-forwards/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Get a port forward', params: IdParams, response: { 200: PortForward, 404: ErrorBody } },
    },
    async (request) => {
      const f = await getPortForward(ctx.db, request.params.id)
      if (!f) throw notFound('Port forward')
      return toPortForward(f)
    },
  )

  const change = async (
    request: { params: { id: string } } & Parameters<typeof actorOf>[0],
    action: string,
    patch: Partial<ForwardFields>,
  ) =>
    mutate(ctx, async (trx, touch) => {
      const before = await getPortForward(trx, request.params.id)
      if (!before) throw notFound('Port forward')
      const { id: _id, createdAt: _c, updatedAt: _u, ...current } = before
      const after: ForwardFields = { ...current, ...patch }
      const agents = await checkForward(trx, after, before.id)
      const previousClient = await getTunnelClient(trx, before.tunnelClientId)
      await updatePortForward(trx, before.id, patch)
      await touch([...agents, previousClient?.agentId])
      await stampForwardRevision(trx, [before.id], before.tunnelServerId)
      await writeAudit(trx, actorOf(request), action, { type: 'port_forward', id: before.id }, patch)
      return toPortForward((await getPortForward(trx, before.id))!)
    })

  app.patch(
    '/api/v1/port-forwards/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change a port forward',
        params: IdParams,
        body: PortForwardUpdate,
        response: { 200: PortForward, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { publicPortEnd, ...rest } = request.body
      return change(request, 'port_forward.update', {
        ...rest,
        ...(publicPortEnd !== undefined ? { publicPortEnd } : {}),
      })
    },
  )

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/api/v1/port-forwards/:id/${verb}`,
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          summary: `${verb === 'enable' ? 'Enable' : 'Disable'} a port forward`,
          params: IdParams,
          response: { 200: PortForward, 404: ErrorBody },
        },
      },
      async (request) => change(request, `port_forward.${verb}`, { enabled }),
    )
  }

  app.delete(
    '/api/v1/port-forwards/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Delete a port forward', params: IdParams, response: { 204: z.null(), 404: ErrorBody } },
    },
    async (request, reply) => {
      await mutate(ctx, async (trx, touch) => {
        const f = await getPortForward(trx, request.params.id)
        if (!f) throw notFound('Port forward')
        const server = await getTunnelServer(trx, f.tunnelServerId)
        const client = await getTunnelClient(trx, f.tunnelClientId)
        await deletePortForward(trx, f.id)
        await touch([server?.agentId, client?.agentId])
        await writeAudit(
          trx,
          actorOf(request),
          'port_forward.delete',
          { type: 'port_forward', id: f.id },
          {
            protocol: f.protocol,
            publicPort: f.publicPort,
            publicPortEnd: f.publicPortEnd,
          },
        )
      })
      return reply.status(204).send(null)
    },
  )
}
