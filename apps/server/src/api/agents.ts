/** Agents as the dashboard sees them. Rows appear when an agent registers (see the hub). */
import { Agent, ErrorBody, IdParams, Page, PageQuery } from '@wirewarp/protocol'
import { z } from 'zod'
import { notFound } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'
import { deleteAgent, getAgent, listAgents, toAgent } from '../store/agents.ts'
import { writeAudit } from '../store/auditLog.ts'

const tags = ['agents']

export function agentRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/agents',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'List agents', querystring: PageQuery, response: { 200: Page(Agent) } },
    },
    async (request) => listAgents(ctx.db, request.query),
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
      return toAgent(a)
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
      await ctx.db.transaction().execute(async (trx) => {
        const a = await getAgent(trx, request.params.id)
        if (!a) throw notFound('Agent')
        await deleteAgent(trx, a.id)
        await writeAudit(
          trx,
          actorOf(request),
          'agent.delete',
          { type: 'agent', id: a.id },
          { name: a.name, kind: a.kind },
        )
      })
      return reply.status(204).send(null)
    },
  )
}
