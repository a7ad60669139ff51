/**
 * Users' devices. Every signed-in user may call these; the domain decides what they reach: their
 * own devices (another user's reads as not found), and what the VPN settings allow.
 */
import {
  Device,
  DeviceCreate,
  DeviceCreated,
  DeviceKeyRotation,
  DeviceQuery,
  DeviceUpdate,
  deviceConfigFileName,
  ErrorBody,
  IdParams,
  Page,
  VpnServerList,
} from '@wirewarp/protocol'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import {
  changeDevice,
  createDevice,
  deleteDevice,
  deviceConfig,
  readDevice,
  rotateDeviceKey,
  type Who,
} from '../domain/devices.ts'
import { forbidden } from '../errors.ts'
import { requirePrincipal } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { listDevices, toDevice } from '../store/devices.ts'
import { listVpnServers } from '../store/tunnelServers.ts'

const tags = ['devices']

function whoOf(request: FastifyRequest): Who {
  const p = requirePrincipal(request)
  return { userId: p.user.id, admin: p.user.role === 'admin' }
}

export function deviceRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/vpn/servers',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'The tunnel servers a device can be added to, with their client defaults',
        querystring: z.strictObject({}),
        response: { 200: VpnServerList },
      },
    },
    async () => ({ items: await listVpnServers(ctx.db) }),
  )

  app.get(
    '/api/v1/devices',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "List devices: a user's own; admins all, or one user's",
        querystring: DeviceQuery,
        response: { 200: Page(Device), 403: ErrorBody },
      },
    },
    async (request) => {
      const who = whoOf(request)
      const q = request.query
      if (!who.admin && q.userId !== undefined && q.userId !== who.userId)
        throw forbidden("Only admins may list another user's devices.")
      return listDevices(ctx.db, { ...q, userId: who.admin ? q.userId : who.userId })
    },
  )

  app.post(
    '/api/v1/devices',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary:
          'Add a device. Give its public key (made on the device), or generateKey: the private key is then returned once and never stored',
        body: DeviceCreate,
        response: { 201: DeviceCreated, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const who = whoOf(request)
      const created = await change(ctx, request, (tx) => createDevice(tx, who, request.body, ctx.secrets))
      return reply.status(201).header('cache-control', 'no-store').send(created)
    },
  )

  app.get(
    '/api/v1/devices/:id',
    {
      config: { auth: 'user' },
      schema: { tags, summary: 'Get a device', params: IdParams, response: { 200: Device, 404: ErrorBody } },
    },
    async (request) => toDevice(await readDevice(ctx, whoOf(request), request.params.id)),
  )

  app.get(
    '/api/v1/devices/:id/config',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'The .conf for the WireGuard app, without the private key (the server never keeps it)',
        params: IdParams,
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const d = await readDevice(ctx, whoOf(request), request.params.id)
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${deviceConfigFileName(d.name)}"`)
        .header('cache-control', 'no-store')
        .send(deviceConfig(d, ctx.secrets))
    },
  )

  app.patch(
    '/api/v1/devices/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "Change a device's name, description, enabled state or client settings (null: the default)",
        params: IdParams,
        body: DeviceUpdate,
        response: { 200: Device, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const who = whoOf(request)
      return change(ctx, request, (tx) => changeDevice(tx, who, request.params.id, request.body))
    },
  )

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/api/v1/devices/:id/${verb}`,
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: `${verb === 'enable' ? 'Enable' : 'Disable'} a device (its peer ${verb === 'enable' ? 'returns to' : 'leaves'} the tunnel server)`,
          params: IdParams,
          response: { 200: Device, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const who = whoOf(request)
        return change(ctx, request, (tx) => changeDevice(tx, who, request.params.id, { enabled }, `device.${verb}`))
      },
    )
  }

  app.post(
    '/api/v1/devices/:id/rotate-key',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Give a device a new key, keeping its addresses; optionally a new or no preshared key',
        params: IdParams,
        body: DeviceKeyRotation,
        response: { 200: DeviceCreated, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const who = whoOf(request)
      const rotated = await change(ctx, request, (tx) =>
        rotateDeviceKey(tx, who, request.params.id, request.body, ctx.secrets),
      )
      return reply.header('cache-control', 'no-store').send(rotated)
    },
  )

  app.delete(
    '/api/v1/devices/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Delete a device; its tunnel ends',
        params: IdParams,
        response: { 204: z.null(), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const who = whoOf(request)
      await change(ctx, request, (tx) => deleteDevice(tx, who, request.params.id))
      return reply.status(204).send(null)
    },
  )
}
