/** Port forwards: CRUD, enable/disable, and creation from a service template. */
import {
  ErrorBody,
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
import {
  changePortForward,
  createPortForward,
  createPortForwardsFromTemplate,
  deletePortForward,
  type ForwardFields,
} from '../domain/portForwards.ts'
import { notFound } from '../errors.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { getPortForward, listPortForwards, toPortForward } from '../store/portForwards.ts'

const tags = ['port-forwards']

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
      return reply.status(201).send(await change(ctx, request, (tx) => createPortForward(tx, fields)))
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
      const items = await change(ctx, request, (tx) => createPortForwardsFromTemplate(tx, request.body))
      return reply.status(201).send({ items })
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
      const patch = { ...rest, ...(publicPortEnd !== undefined ? { publicPortEnd } : {}) }
      return change(ctx, request, (tx) => changePortForward(tx, request.params.id, patch, 'port_forward.update'))
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
      async (request) =>
        change(ctx, request, (tx) => changePortForward(tx, request.params.id, { enabled }, `port_forward.${verb}`)),
    )
  }

  app.delete(
    '/api/v1/port-forwards/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Delete a port forward', params: IdParams, response: { 204: z.null(), 404: ErrorBody } },
    },
    async (request, reply) => {
      await change(ctx, request, (tx) => deletePortForward(tx, request.params.id))
      return reply.status(204).send(null)
    },
  )
}
