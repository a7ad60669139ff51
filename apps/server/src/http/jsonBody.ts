/**
 * Parses JSON request bodies, refusing nesting deeper than a limit before `JSON.parse` sees the
 * text (deep values overflow the stack of whatever walks them next: a 500), with the same
 * prototype-poisoning protection as Fastify's own parser, which this replaces.
 */
import { jsonDepthExceeds } from '@wirewarp/protocol'
import { errorCodes, type FastifyInstance } from 'fastify'
import sjson from 'secure-json-parse'
import { badJson, bodyTooDeep } from '../errors.ts'

/** No API body needs more; a command's free-form `params` are the deepest, a few levels. */
export const MAX_BODY_DEPTH = 32

export function installJsonBodyParser(app: FastifyInstance, maxDepth = MAX_BODY_DEPTH): void {
  app.removeContentTypeParser('application/json')
  // parseAs string keeps Fastify's bodyLimit (413) before any of this runs.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    if (text.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined)
    if (jsonDepthExceeds(text, maxDepth)) return done(bodyTooDeep(maxDepth), undefined)
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      const poisoned = err instanceof Error && err.message.startsWith('Object contains forbidden prototype')
      done(badJson(poisoned), undefined)
    }
  })
}
