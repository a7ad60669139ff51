/** Self-service password change: proves the current password, sets a new one, ends the caller's other sessions. */
import { ErrorBody, PasswordChange } from '@wirewarp/protocol'
import { z } from 'zod'
import { passwordProblem } from '../auth/passwordPolicy.ts'
import { hashPassword, verifyPassword } from '../auth/passwords.ts'
import { invalidFields, unauthenticated, wrongPasswordsThrottled } from '../errors.ts'
import { actorOf, requirePrincipal } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { revokeApiTokensOfUser } from '../store/apiTokens.ts'
import { writeAudit } from '../store/auditLog.ts'
import { deleteSessionsOfUser } from '../store/sessions.ts'
import { getUser, updateUser } from '../store/users.ts'

export function passwordRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/v1/auth/password',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password. Ends your other sessions (this one stays signed in); API tokens are kept unless revokeApiTokens is true',
        body: PasswordChange,
        response: { 204: z.null(), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request)
      // The hash is read here, where it is needed: the request's principal never carries it.
      const user = await getUser(ctx.db, p.user.id)
      if (!user) throw unauthenticated()
      const b = request.body
      // A stolen session or token must not become a way to guess the password and take the account:
      // wrong current passwords count with failed sign-ins for the same account and address.
      const attempt = await ctx.throttle.claim({ ip: request.ip, email: user.email, deviceId: null })
      if (!attempt.allowed) throw wrongPasswordsThrottled(attempt.retryAfterSeconds)
      const ok = await verifyPassword(user.passwordHash, b.currentPassword)
      await ctx.throttle.settle(attempt.ticket, ok)
      if (!ok) {
        await writeAudit(ctx.db, actorOf(request), 'user.password_change_failed', { type: 'user', id: user.id })
        throw invalidFields({ currentPassword: 'Not your current password' })
      }
      const problem = passwordProblem(b.newPassword, { email: user.email })
      if (problem) throw invalidFields({ newPassword: problem })
      // "Changing" to the same password would end the other sessions yet leave a leaked password working.
      if (await verifyPassword(user.passwordHash, b.newPassword))
        throw invalidFields({ newPassword: 'Must differ from the current password' })

      const passwordHash = await hashPassword(b.newPassword)
      await change(ctx, request, async ({ db: trx }) => {
        await updateUser(trx, user.id, { passwordHash })
        // With an API token there is no current session: every session ends.
        await deleteSessionsOfUser(trx, user.id, p.sessionId)
        const revokedApiTokens = b.revokeApiTokens ? await revokeApiTokensOfUser(trx, user.id) : 0
        await writeAudit(
          trx,
          actorOf(request),
          'user.password_change',
          { type: 'user', id: user.id },
          { revokedApiTokens },
        )
      })
      return reply.status(204).send(null)
    },
  )
}
