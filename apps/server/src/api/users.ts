/** Admin management of user accounts. */
import { ErrorBody, IdParams, Page, PageQuery, User, UserCreate, UserListItem, UserUpdate } from '@wirewarp/protocol'
import { z } from 'zod'
import { passwordProblem } from '../auth/passwordPolicy.ts'
import { hashPassword } from '../auth/passwords.ts'
import type { Db } from '../db/database.ts'
import { emailTaken, invalidFields, lastAdmin, notFound } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { revokeApiTokensOfUser } from '../store/apiTokens.ts'
import { writeAudit } from '../store/auditLog.ts'
import { serverAgentsOfUser } from '../store/devices.ts'
import { lockNamed } from '../store/locks.ts'
import { deleteSessionsOfUser } from '../store/sessions.ts'
import {
  countActiveAdmins,
  deleteUser,
  findUserByEmail,
  getUser,
  insertUser,
  listUsers,
  toUser,
  updateUser,
} from '../store/users.ts'

async function mustGet(db: Db, id: string) {
  const u = await getUser(db, id)
  if (!u) throw notFound('User')
  return u
}

const tags = ['users']

export function userRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List users, each with how many devices they have',
        querystring: PageQuery,
        response: { 200: Page(UserListItem) },
      },
    },
    async (request) => listUsers(ctx.db, request.query),
  )

  app.post(
    '/api/v1/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create a user',
        body: UserCreate,
        response: { 201: User, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body
      const problem = passwordProblem(b.password, { email: b.email })
      if (problem) throw invalidFields({ password: problem })
      const passwordHash = await hashPassword(b.password)
      const row = await change(ctx, request, async ({ db: trx }) => {
        if (await findUserByEmail(trx, b.email)) throw emailTaken(b.email)
        const row = await insertUser(trx, { email: b.email, name: b.name, passwordHash, role: b.role })
        await writeAudit(
          trx,
          actorOf(request),
          'user.create',
          { type: 'user', id: row.id },
          { email: row.email, role: row.role },
        )
        return row
      })
      return reply.status(201).send(toUser(row))
    },
  )

  app.get(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: User, 404: ErrorBody } },
    },
    async (request) => toUser(await mustGet(ctx.db, request.params.id)),
  )

  app.patch(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary:
          "Change a user: email, name, password, role or disabled. A new password ends the user's sessions and, unless revokeApiTokens is false, revokes their API tokens",
        params: IdParams,
        body: UserUpdate,
        response: { 200: User, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const b = request.body
      if (b.revokeApiTokens !== undefined && b.password === undefined)
        throw invalidFields({ revokeApiTokens: 'Only applies together with a new password' })
      const passwordHash = b.password ? await hashPassword(b.password) : undefined
      const self = request.principal?.user.id
      return change(ctx, request, async ({ db: trx, affect }) => {
        // Changes that could remove the last admin take turns: two admins demoting each other at
        // the same moment must not both succeed.
        await lockNamed(trx, 'users')
        const before = await mustGet(trx, request.params.id)
        // Checked against the email the account will have after this change.
        const problem = b.password ? passwordProblem(b.password, { email: b.email ?? before.email }) : null
        if (problem) throw invalidFields({ password: problem })
        if (b.email && b.email !== before.email && (await findUserByEmail(trx, b.email))) throw emailTaken(b.email)
        const losesAdmin = before.role === 'admin' && !before.disabled && (b.role === 'user' || b.disabled === true)
        if (losesAdmin && (await countActiveAdmins(trx, before.id)) === 0) throw lastAdmin()
        await updateUser(trx, before.id, {
          ...(b.email !== undefined ? { email: b.email } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.role !== undefined ? { role: b.role } : {}),
          ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
          ...(passwordHash ? { passwordHash } : {}),
        })
        // A disabled user's devices leave their tunnel servers until the account is enabled again.
        if (b.disabled !== undefined && b.disabled !== before.disabled)
          await affect(await serverAgentsOfUser(trx, before.id))
        // A new password or a disabled account ends the user's other sessions.
        if (passwordHash || b.disabled === true)
          await deleteSessionsOfUser(trx, before.id, before.id === self ? request.principal?.sessionId : undefined)
        // A reset usually means the password leaked; tokens made by whoever had it must stop too.
        const revokedApiTokens =
          passwordHash && b.revokeApiTokens !== false ? await revokeApiTokensOfUser(trx, before.id) : 0
        const { password: _pw, revokeApiTokens: _revoke, ...changes } = b
        await writeAudit(
          trx,
          actorOf(request),
          'user.update',
          { type: 'user', id: before.id },
          {
            ...changes,
            ...(passwordHash ? { password: 'changed', revokedApiTokens } : {}),
          },
        )
        return toUser(await mustGet(trx, before.id))
      })
    },
  )

  app.delete(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Delete a user',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await change(ctx, request, async ({ db: trx, affect }) => {
        await lockNamed(trx, 'users')
        const u = await mustGet(trx, request.params.id)
        if (u.role === 'admin' && !u.disabled && (await countActiveAdmins(trx, u.id)) === 0) throw lastAdmin()
        // Their devices (and so their peers) and rules go with them.
        await affect(await serverAgentsOfUser(trx, u.id))
        await deleteUser(trx, u.id)
        await writeAudit(trx, actorOf(request), 'user.delete', { type: 'user', id: u.id }, { email: u.email })
      })
      return reply.status(204).send(null)
    },
  )
}
