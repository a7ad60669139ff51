/**
 * Refuses a request when any string or key in its body, query string or path parameters holds a
 * NUL character, naming the field: PostgreSQL cannot store NUL in text (a 500 from deep in a
 * query), and no field of this API has a use for it.
 */
import { findNulPath } from '@wirewarp/protocol'
import type { FastifyInstance } from 'fastify'
import { invalidFields } from '../errors.ts'

export function installNulCheck(app: FastifyInstance): void {
  // preValidation: after parsing, before any schema or route sees a value. One hook for every
  // route, so a new route or field cannot forget it.
  app.addHook('preValidation', async (request) => {
    for (const [value, whole] of [
      [request.params, 'params'],
      [request.query, 'query'],
      [request.body, 'body'],
    ] as const) {
      const at = findNulPath(value)
      if (at !== null) throw invalidFields({ [at || whole]: 'Must not contain NUL characters' })
    }
  })
}
