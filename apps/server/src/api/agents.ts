/**
 * Agents as the dashboard sees them (rows appear when an agent registers), their commands and
 * metrics, holding one at its version and updating one or all outdated ones.
 */
import {
  Agent,
  AgentPatch,
  AgentUpdateBatch,
  AgentUpdateBatchCreate,
  AgentUpdateCreate,
  CloseCode,
  CommandCreate,
  CommandLogEntry,
  DesiredState,
  ErrorBody,
  IdParams,
  MetricPointList,
  MetricsQuery,
  Page,
  PageQuery,
} from '@wirewarp/protocol'
import { z } from 'zod'
import { deleteAgent } from '../domain/agents.ts'
import { notFound } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { computeDesiredState } from '../hub/computeDesiredState.ts'
import { getAgent, listAgents, setHoldVersion, toAgent } from '../store/agents.ts'
import { writeAudit } from '../store/auditLog.ts'
import { getCommand, listCommands } from '../store/commandLog.ts'
import { loadDesiredStateInput } from '../store/desiredStateInput.ts'
import { listMetrics } from '../store/metrics.ts'
import { publicUrlOf } from './registrationTokens.ts'

const tags = ['agents']

export function agentRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/agents',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'List agents', querystring: PageQuery, response: { 200: Page(Agent) } },
    },
    async (request) => listAgents(ctx.db, request.query, await ctx.hub.latestVersions()),
  )

  app.get(
    '/api/v1/agents/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Get an agent', params: IdParams, response: { 200: Agent, 404: ErrorBody } },
    },
    async (request) => {
      const a = await getAgent(ctx.db, request.params.id)
      if (!a) throw notFound('Agent')
      return toAgent(a, await ctx.hub.latestVersions())
    },
  )

  app.patch(
    '/api/v1/agents/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Hold an agent at its version ("update all outdated" skips it), or release it',
        params: IdParams,
        body: AgentPatch,
        response: { 200: Agent, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params
      if (!(await setHoldVersion(ctx.db, id, request.body.holdVersion))) throw notFound('Agent')
      await writeAudit(
        ctx.db,
        actorOf(request),
        'agent.update_hold',
        { type: 'agent', id },
        {
          holdVersion: request.body.holdVersion,
        },
      )
      const a = await getAgent(ctx.db, id)
      if (!a) throw notFound('Agent')
      const agent = toAgent(a, await ctx.hub.latestVersions())
      ctx.events.publish({ type: 'agent', agent })
      return agent
    },
  )

  app.post(
    '/api/v1/agents/:id/update',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary:
          'Update the agent to the newest release for its build (or to `version`): it downloads, verifies and swaps the file, and rolls back by itself when the new version does not connect',
        params: IdParams,
        body: AgentUpdateCreate,
        response: { 201: CommandLogEntry, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const started = await ctx.hub.updates.start(request.params.id, {
        version: request.body.version,
        deadlineSeconds: request.body.deadlineSeconds,
        baseUrl: publicUrlOf(ctx, request),
        requestedBy: request.principal?.user.id ?? null,
        actor: actorOf(request),
      })
      if (!started.entry) throw notFound('Command')
      return reply.status(201).send(started.entry)
    },
  )

  app.post(
    '/api/v1/agents/update-outdated',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary:
          'Update every connected, outdated agent that is not held, one at a time with a pause between them; stops when one rolls back. Answers with the agents queued; the updates run in the background',
        body: AgentUpdateBatchCreate,
        response: { 202: AgentUpdateBatch, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const batch = await ctx.hub.updates.startBatch({
        staggerMs: request.body.staggerSeconds * 1000,
        deadlineSeconds: request.body.deadlineSeconds,
        baseUrl: publicUrlOf(ctx, request),
        requestedBy: request.principal?.user.id ?? null,
        actor: actorOf(request),
      })
      await writeAudit(ctx.db, actorOf(request), 'agent.update_outdated', null, {
        queued: batch.queued.map((q) => q.agentId),
      })
      return reply.status(202).send(batch)
    },
  )

  app.delete(
    '/api/v1/agents/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Delete an agent with its tunnel server or client and their forwards; its credential stops working',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await change(ctx, request, (tx) => deleteAgent(tx, request.params.id))
      ctx.hub.disconnect(
        request.params.id,
        CloseCode.deleted,
        'hello.unknown_agent',
        'This agent was deleted from the dashboard.',
      )
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/agents/:id/desired-state',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'The desired state the server holds for this agent (what it pushes; preshared keys left out)',
        params: IdParams,
        response: { 200: DesiredState, 404: ErrorBody },
      },
    },
    async (request) => {
      // Devices' preshared keys stay between the server and the agent.
      const input = await loadDesiredStateInput(ctx.db, request.params.id, null)
      if (!input) throw notFound('Agent')
      return computeDesiredState(input)
    },
  )

  app.post(
    '/api/v1/agents/:id/commands',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Send a one-shot command (ping, diagnostics, restart); with wait, answer once it finished',
        params: IdParams,
        body: CommandCreate,
        response: { 201: CommandLogEntry, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const a = await getAgent(ctx.db, request.params.id)
      if (!a) throw notFound('Agent')
      const b = request.body
      const requestedBy = request.principal?.user.id ?? null
      const { id, done } = await ctx.hub.runCommand(a.id, b.command, b.params, b.timeoutSeconds * 1000, requestedBy)
      await writeAudit(
        ctx.db,
        actorOf(request),
        `agent.command.${b.command}`,
        { type: 'agent', id: a.id },
        { commandId: id, params: b.params },
      )
      const entry = b.wait ? await done : await getCommand(ctx.db, id)
      return reply.status(201).send(entry!)
    },
  )

  app.get(
    '/api/v1/agents/:id/commands',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'The agent’s command history, newest first',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Page(CommandLogEntry), 404: ErrorBody },
      },
    },
    async (request) => {
      if (!(await getAgent(ctx.db, request.params.id))) throw notFound('Agent')
      return listCommands(ctx.db, request.params.id, request.query)
    },
  )

  app.get(
    '/api/v1/agents/:id/metrics',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Metrics samples (CPU, memory, load, uptime, interface counters) between from and to, oldest first',
        params: IdParams,
        querystring: MetricsQuery,
        response: { 200: MetricPointList, 404: ErrorBody },
      },
    },
    async (request) => {
      if (!(await getAgent(ctx.db, request.params.id))) throw notFound('Agent')
      return { items: await listMetrics(ctx.db, request.params.id, request.query) }
    },
  )
}
