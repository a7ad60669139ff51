/** The overview: agents connected, tunnels up, forwards working, and why each that is not. */
import { ErrorBody, Overview } from '@wirewarp/protocol'
import { z } from 'zod'
import { buildOverview } from '../domain/overview.ts'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'

export function overviewRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/overview',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['overview'],
        summary:
          'Counts of agents (connected or not), tunnels (up or down) and forwards (working or not), with the reason for each tunnel and forward that is not',
        // No parameters: an unknown one is refused rather than ignored.
        querystring: z.strictObject({}),
        response: { 200: Overview, 400: ErrorBody },
      },
    },
    () => buildOverview(ctx.db),
  )
}
