/** A user's own API tokens: created (shown once), listed, revoked. */
import { ApiToken, ApiTokenCreate, ApiTokenCreated, ErrorBody, IdParams, Page, PageQuery } from '@wirewarp/protocol'
import { z } from 'zod'
import { newSecret } from '../auth/secretTokens.ts'
import { notFound } from '../errors.ts'
import { actorOf, requirePrincipal } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { getApiToken, insertApiToken, listApiTokens, revokeApiToken, toApiToken } from '../store/apiTokens.ts'
import { writeAudit } from '../store/auditLog.ts'

const tags = ['api-tokens']
export const API_TOKEN_PREFIX = 'wwp_'

export function apiTokenRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/api-tokens',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'List your API tokens (never their secrets)',
        querystring: PageQuery,
        response: { 200: Page(ApiToken) },
      },
    },
    async (request) => listApiTokens(ctx.db, requirePrincipal(request).user.id, request.query),
  )

  app.post(
    '/api/v1/api-tokens',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Create an API token; the response holds the token, shown this once',
        body: ApiTokenCreate,
        response: { 201: ApiTokenCreated, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request)
      const { token, hash } = newSecret(API_TOKEN_PREFIX)
      const expiresAt = request.body.expiresInDays
        ? new Date(Date.now() + request.body.expiresInDays * 86400_000).toISOString()
        : null
      const row = await change(ctx, request, async ({ db: trx }) => {
        const row = await insertApiToken(trx, {
          userId: p.user.id,
          name: request.body.name,
          tokenHash: hash,
          prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
          expiresAt,
        })
        await writeAudit(
          trx,
          actorOf(request),
          'api_token.create',
          { type: 'api_token', id: row.id },
          { name: row.name, expiresAt },
        )
        return row
      })
      return reply.status(201).send({ ...toApiToken(row), token })
    },
  )

  app.delete(
    '/api/v1/api-tokens/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Revoke one of your API tokens',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request)
      await change(ctx, request, async ({ db: trx }) => {
        const row = await getApiToken(trx, request.params.id)
        // Another user's token is "not found", not "forbidden": ids of others' tokens are not confirmed.
        if (!row || row.userId !== p.user.id || row.revokedAt) throw notFound('API token')
        await revokeApiToken(trx, row.id)
        await writeAudit(
          trx,
          actorOf(request),
          'api_token.revoke',
          { type: 'api_token', id: row.id },
          { name: row.name },
        )
      })
      return reply.status(204).send(null)
    },
  )
}
