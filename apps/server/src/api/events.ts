/** Live updates for the dashboard as Server-Sent Events: agent status, applied revisions, command results. */
import { z } from 'zod'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'

// Proxies close idle connections; a comment line every so often keeps the stream open.
const KEEPALIVE_MS = 20_000

export function eventRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/events',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['events'],
        summary:
          'Server-Sent Events stream. Event types: `agent` ({agent}), `agent_deleted` ({agentId}), `command` ({command}); see LiveEvent.',
        produces: ['text/event-stream'],
        querystring: z.strictObject({}),
      },
    },
    (request, reply) => {
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      res.write(': connected\n\n')
      const unsubscribe = ctx.events.subscribe((e) => {
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
      })
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS)
      request.raw.on('close', () => {
        clearInterval(keepalive)
        unsubscribe()
      })
    },
  )
}
