/** One-time registration tokens and the install command that uses them. */
import {
  ErrorBody,
  IdParams,
  Page,
  PageQuery,
  RegistrationToken,
  RegistrationTokenCreate,
  RegistrationTokenCreated,
} from '@wirewarp/protocol'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { newSecret } from '../auth/secretTokens.ts'
import { badHostHeader, notFound, tunnelServerNotFound } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { writeAudit } from '../store/auditLog.ts'
import {
  getRegistrationToken,
  insertRegistrationToken,
  listRegistrationTokens,
  revokeRegistrationToken,
  toRegistrationToken,
} from '../store/registrationTokens.ts'
import { getTunnelServer } from '../store/tunnelServers.ts'

const tags = ['registration-tokens']
export const REGISTRATION_TOKEN_PREFIX = 'wwr_'

/** The URL agents reach this server at: WIREWARP_PUBLIC_URL, else the address the admin used. */
export function publicUrlOf(ctx: AppContext, request: FastifyRequest): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl
  // The Host header ends up inside a shell command a person pastes as root: only a plain
  // host[:port] may, never quotes or spaces.
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(request.host)) throw badHostHeader()
  return `${request.protocol}://${request.host}`
}

/**
 * One command for root and for a user with sudo or doas (the script re-runs itself through them),
 * on hosts with curl or only wget (Alpine's busybox).
 */
export function installCommand(url: string, kind: 'server' | 'client', token: string): string {
  // Both values are checked (URL from config or a plain Host, token base64url): nothing to quote-escape.
  const script = `${url}/install/${kind}`
  return `(curl -fsSL '${script}' || wget -qO- '${script}') | sh -s -- --url '${url}' --token '${token}'`
}

export function registrationTokenRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/registration-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List registration tokens (never their secrets)',
        querystring: PageQuery,
        response: { 200: Page(RegistrationToken) },
      },
    },
    async (request) => listRegistrationTokens(ctx.db, request.query),
  )

  app.post(
    '/api/v1/registration-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create a one-time registration token and the install command that uses it',
        body: RegistrationTokenCreate,
        response: { 201: RegistrationTokenCreated, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body
      // Before anything is stored: a request whose install command cannot be built changes nothing.
      const url = publicUrlOf(ctx, request)
      const { token, hash } = newSecret(REGISTRATION_TOKEN_PREFIX)
      const row = await change(ctx, request, async ({ db: trx }) => {
        if (b.tunnelServerId && !(await getTunnelServer(trx, b.tunnelServerId))) throw tunnelServerNotFound()
        const row = await insertRegistrationToken(trx, {
          name: b.name,
          kind: b.kind,
          tokenHash: hash,
          tunnelServerId: b.tunnelServerId ?? null,
          createdBy: request.principal?.user.id ?? null,
          expiresAt: new Date(Date.now() + b.expiresInHours * 3600_000).toISOString(),
        })
        await writeAudit(
          trx,
          actorOf(request),
          'registration_token.create',
          { type: 'registration_token', id: row.id },
          {
            name: row.name,
            kind: row.kind,
            expiresAt: row.expiresAt,
          },
        )
        return row
      })
      return reply.status(201).send({
        ...toRegistrationToken(row),
        token,
        installCommand: installCommand(url, row.kind, token),
      })
    },
  )

  app.delete(
    '/api/v1/registration-tokens/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Revoke a registration token',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await change(ctx, request, async ({ db: trx }) => {
        const row = await getRegistrationToken(trx, request.params.id)
        if (!row || row.revokedAt) throw notFound('Registration token')
        await revokeRegistrationToken(trx, row.id)
        await writeAudit(
          trx,
          actorOf(request),
          'registration_token.revoke',
          { type: 'registration_token', id: row.id },
          { name: row.name },
        )
      })
      return reply.status(204).send(null)
    },
  )
}
