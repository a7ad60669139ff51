/** Firewall rules for devices (admins), the order they are enforced in, and the VPN settings. */
import {
  EffectiveRules,
  ErrorBody,
  Id,
  IdParams,
  orderRules,
  Page,
  Rule,
  RuleCreate,
  RuleQuery,
  RuleUpdate,
  VpnSettings,
  VpnSettingsUpdate,
} from '@wirewarp/protocol'
import { z } from 'zod'
import { changeRule, changeVpnSettings, createRule, deleteRule } from '../domain/rules.ts'
import { forbidden, ruleNotFound, tunnelServerNotFound, userNotFound } from '../errors.ts'
import { requirePrincipal } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { getRule, listRules, rulesForServer } from '../store/rules.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'
import { getUser } from '../store/users.ts'
import { getVpnSettings } from '../store/vpnSettings.ts'

const tags = ['rules']

const EffectiveQuery = z.strictObject({ userId: Id, tunnelServerId: Id })

export function ruleRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/rules',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'List rules', querystring: RuleQuery, response: { 200: Page(Rule) } },
    },
    async (request) => listRules(ctx.db, request.query),
  )

  app.post(
    '/api/v1/rules',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create a rule: accept or drop device traffic to a network (and protocol, ports)',
        body: RuleCreate,
        response: { 201: Rule, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await change(ctx, request, (tx) => createRule(tx, request.body))),
  )

  app.get(
    '/api/v1/rules/effective',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary:
          "The rules for one user's devices on one tunnel server, in the order they are enforced (users: their own only)",
        querystring: EffectiveQuery,
        response: { 200: EffectiveRules, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const p = requirePrincipal(request)
      const { userId, tunnelServerId } = request.query
      if (p.user.role !== 'admin' && userId !== p.user.id) throw forbidden("Only admins may see another user's rules.")
      if (!(await getUser(ctx.db, userId))) throw userNotFound()
      if (!(await getTunnelServer(ctx.db, tunnelServerId))) throw tunnelServerNotFound()
      const rules = await rulesForServer(ctx.db, tunnelServerId, [userId])
      return {
        userId,
        tunnelServerId,
        rules: orderRules(rules),
        defaultPolicy: (await getVpnSettings(ctx.db)).defaultPolicy,
      }
    },
  )

  app.get(
    '/api/v1/rules/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Get a rule', params: IdParams, response: { 200: Rule, 404: ErrorBody } },
    },
    async (request) => {
      const r = await getRule(ctx.db, request.params.id)
      if (!r) throw ruleNotFound()
      return r
    },
  )

  app.patch(
    '/api/v1/rules/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change a rule',
        params: IdParams,
        body: RuleUpdate,
        response: { 200: Rule, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => change(ctx, request, (tx) => changeRule(tx, request.params.id, request.body)),
  )

  app.delete(
    '/api/v1/rules/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Delete a rule', params: IdParams, response: { 204: z.null(), 404: ErrorBody } },
    },
    async (request, reply) => {
      await change(ctx, request, (tx) => deleteRule(tx, request.params.id))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/settings/vpn',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['settings'],
        summary: 'The VPN settings: default policy and what users who are not admins may do',
        querystring: z.strictObject({}),
        response: { 200: VpnSettings },
      },
    },
    async () => getVpnSettings(ctx.db),
  )

  app.patch(
    '/api/v1/settings/vpn',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['settings'],
        summary: 'Change the VPN settings',
        body: VpnSettingsUpdate,
        response: { 200: VpnSettings, 400: ErrorBody },
      },
    },
    async (request) => change(ctx, request, (tx) => changeVpnSettings(tx, request.body)),
  )
}
