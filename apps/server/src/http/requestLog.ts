/**
 * What the server says about requests: every request at `debug` (method, path, status, time),
 * and one `info` line per change that succeeded (who changed what). Reads and polling stay out
 * of an `info` log; failures are logged where they are handled (errors.ts).
 */
import type { FastifyInstance } from 'fastify'

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    // The path only: a query string may carry a filter someone typed, never needed to tell requests apart.
    const path = request.url.split('?', 1)[0]
    const line = {
      method: request.method,
      path,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    }
    if (CHANGING.has(request.method) && reply.statusCode < 400) {
      const who = request.principal?.user.email ?? 'anonymous'
      request.log.info({ ...line, actor: who }, `${request.method} ${path} by ${who}`)
    } else {
      request.log.debug(line, 'request')
    }
  })
}
