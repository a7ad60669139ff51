/** Sign-in, sign-out and "who am I" for the dashboard and scripts. */
import { ErrorBody, LoginRequest, Me } from '@wirewarp/protocol'
import { z } from 'zod'
import { DEVICE_COOKIE } from '../auth/deviceCookie.ts'
import { verifyPassword } from '../auth/passwords.ts'
import { newSecret } from '../auth/secretTokens.ts'
import { invalidCredentials, throttled } from '../errors.ts'
import { actorOf, requirePrincipal, SESSION_COOKIE } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { writeAudit } from '../store/auditLog.ts'
import { deleteSession, insertSession } from '../store/sessions.ts'
import { findUserByEmail, toUser, updateUser } from '../store/users.ts'

export function authRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        body: LoginRequest,
        response: { 200: Me, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase()
      const deviceId = ctx.deviceCookies.verify(request.cookies[DEVICE_COOKIE], email)
      // Claimed before the slow hash: parallel guesses each see the others' claims, and a
      // refused attempt is never checked, so the answer cannot leak through a 429.
      const attempt = await ctx.throttle.claim({ ip: request.ip, email, deviceId })
      if (!attempt.allowed) {
        request.log.info({ email, retryAfter: attempt.retryAfterSeconds }, 'sign-in throttled')
        throw throttled(attempt.retryAfterSeconds)
      }

      const user = await findUserByEmail(ctx.db, email)
      const ok = await verifyPassword(user?.passwordHash, request.body.password)
      if (!user || !ok || user.disabled) {
        await ctx.throttle.settle(attempt.ticket, false)
        await writeAudit(
          ctx.db,
          // Whoever tried is unknown: the account typed is what was tried, not who acted.
          actorOf(request),
          'auth.login_failed',
          user ? { type: 'user', id: user.id } : null,
          { email },
        )
        throw invalidCredentials()
      }
      await ctx.throttle.settle(attempt.ticket, true)

      const { token, hash } = newSecret('')
      const now = Date.now()
      await change(ctx, request, async ({ db: trx }) => {
        await insertSession(trx, {
          tokenHash: hash,
          userId: user.id,
          expiresAt: new Date(now + ctx.config.sessionMaxMs).toISOString(),
          ip: request.ip,
          userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
        })
        await updateUser(trx, user.id, { lastLoginAt: new Date(now).toISOString() })
        await writeAudit(trx, { ...actorOf(request), type: 'user', id: user.id, email: user.email }, 'auth.login', {
          type: 'user',
          id: user.id,
        })
      })
      const secure = request.protocol === 'https' || ctx.config.publicUrl?.startsWith('https://') === true
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: Math.floor(ctx.config.sessionMaxMs / 1000),
      })
      // Sent only to this route: it is what lets this browser in while the account is under attack.
      reply.setCookie(DEVICE_COOKIE, ctx.deviceCookies.issue(email), {
        path: '/api/v1/auth/login',
        httpOnly: true,
        sameSite: 'strict',
        secure,
        maxAge: ctx.deviceCookies.maxAgeSeconds,
      })
      return { ...toUser({ ...user, lastLoginAt: new Date(now).toISOString() }), authMethod: 'session' as const }
    },
  )

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: 'user' },
      schema: { tags: ['auth'], summary: 'Sign out: revokes the current session', response: { 204: z.null() } },
    },
    async (request, reply) => {
      const p = requirePrincipal(request)
      if (p.sessionId) {
        const sessionId = p.sessionId
        await change(ctx, request, async ({ db: trx }) => {
          await deleteSession(trx, sessionId)
          await writeAudit(trx, actorOf(request), 'auth.logout', { type: 'user', id: p.user.id })
        })
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/auth/me',
    {
      config: { auth: 'user' },
      schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: Me, 401: ErrorBody } },
    },
    async (request) => {
      const p = requirePrincipal(request)
      return { ...p.user, authMethod: p.method }
    },
  )
}
