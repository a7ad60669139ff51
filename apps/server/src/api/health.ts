/** Liveness and readiness: answers 200 only when the database answers. */
import { Health } from '@wirewarp/protocol'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'
import { pingDatabase } from '../store/health.ts'

export function healthRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/health',
    {
      config: { auth: 'public' },
      schema: { tags: ['health'], summary: 'Health check (database included)', response: { 200: Health, 503: Health } },
    },
    async (request, reply) => {
      try {
        await pingDatabase(ctx.db)
        return { status: 'ok' as const, database: 'ok' as const, version: ctx.version }
      } catch (err) {
        request.log.error({ err }, 'health check: database did not answer')
        return reply.status(503).send({ status: 'degraded', database: 'error', version: ctx.version })
      }
    },
  )
}
