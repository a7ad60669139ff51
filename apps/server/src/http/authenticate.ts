/**
 * Authentication and authorization for every route. A route declares `config.auth` ("public",
 * "user" or "admin"); a route without one fails the server start, so no route is open by
 * accident. Principals come from a Bearer API token or the session cookie; cookie-authenticated
 * writes must carry a matching Origin (CSRF).
 */

import type { User } from '@wirewarp/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hashesEqual, sha256 } from '../auth/secretTokens.ts'
import {
  AppError,
  apiTokenExpired,
  csrfMissingOrigin,
  csrfWrongOrigin,
  forbidden,
  invalidToken,
  sessionExpired,
  tokenAccountDisabled,
  unauthenticated,
} from '../errors.ts'
import { findApiTokenByHash, touchApiToken } from '../store/apiTokens.ts'
import type { Actor } from '../store/auditLog.ts'
import { deleteSession, findSessionByHash, touchSession } from '../store/sessions.ts'
import { getUser, toUser } from '../store/users.ts'
import type { AppContext } from './context.ts'

export type AuthRule = 'public' | 'user' | 'admin'

export interface Principal {
  /** The signed-in account as the API shows it: never its password hash. */
  user: User
  method: 'session' | 'token'
  sessionId?: string
  tokenId?: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRule
  }
  interface FastifyRequest {
    principal: Principal | null
  }
}

export const SESSION_COOKIE = 'wirewarp_session'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
// Writing last-seen times on every request would turn reads into writes; a minute is precise enough.
const TOUCH_EVERY_MS = 60_000

export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal
  return {
    type: p ? (p.method === 'token' ? 'token' : 'user') : 'anonymous',
    id: p?.user.id ?? null,
    email: p?.user.email ?? null,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  }
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated()
  return request.principal
}

/** The origin this server is reached at, for the CSRF check. */
function expectedOrigins(ctx: AppContext, request: FastifyRequest): string[] {
  const origins = [`${request.protocol}://${request.host}`]
  if (ctx.config.publicUrl) origins.push(new URL(ctx.config.publicUrl).origin)
  return origins
}

export function checkOrigin(ctx: AppContext, request: FastifyRequest, required: boolean): void {
  const origin = request.headers.origin
  if (origin === undefined) {
    if (required) throw csrfMissingOrigin()
    return
  }
  if (!expectedOrigins(ctx, request).includes(origin)) throw csrfWrongOrigin(origin)
}

async function fromBearer(ctx: AppContext, token: string): Promise<Principal> {
  const hash = sha256(token)
  const row = await findApiTokenByHash(ctx.db, hash)
  const now = new Date().toISOString()
  if (!row || !hashesEqual(row.tokenHash, hash) || row.revokedAt) throw invalidToken()
  if (row.expiresAt && row.expiresAt <= now) throw apiTokenExpired()
  const user = await getUser(ctx.db, row.userId)
  if (!user || user.disabled) throw tokenAccountDisabled()
  if (!row.lastUsedAt || Date.parse(now) - Date.parse(row.lastUsedAt) > TOUCH_EVERY_MS)
    await touchApiToken(ctx.db, row.id, now)
  return { user: toUser(user), method: 'token', tokenId: row.id }
}

async function fromCookie(ctx: AppContext, reply: FastifyReply, cookie: string): Promise<Principal | null> {
  const hash = sha256(cookie)
  const session = await findSessionByHash(ctx.db, hash)
  if (!session || !hashesEqual(session.tokenHash, hash)) {
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return null
  }
  const now = Date.now()
  if (Date.parse(session.expiresAt) <= now || Date.parse(session.lastSeenAt) + ctx.config.sessionIdleMs <= now) {
    await deleteSession(ctx.db, session.id)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    throw sessionExpired()
  }
  const user = await getUser(ctx.db, session.userId)
  if (!user || user.disabled) {
    await deleteSession(ctx.db, session.id)
    return null
  }
  if (now - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS)
    await touchSession(ctx.db, session.id, new Date(now).toISOString())
  return { user: toUser(user), method: 'session', sessionId: session.id }
}

async function resolvePrincipal(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal | null> {
  const header = request.headers.authorization
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m?.[1]) throw invalidToken('Send the API token as "Authorization: Bearer <token>".')
    return fromBearer(ctx, m[1])
  }
  const cookie = request.cookies[SESSION_COOKIE]
  return cookie ? fromCookie(ctx, reply, cookie) : null
}

export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null)

  app.addHook('onRoute', (route) => {
    const url = route.url
    const auth = (route.config as { auth?: AuthRule } | undefined)?.auth
    // The API docs show a lock on every route unless told otherwise: public ones need nothing.
    if (auth === 'public') route.schema = { ...route.schema, security: [] }
    if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return
    if (auth !== 'public' && auth !== 'user' && auth !== 'admin')
      throw new Error(`Route ${String(route.method)} ${url} has no authorization rule (config.auth)`)
  })

  // onRequest: before the body is parsed or validated, so anonymous callers learn nothing about a route's schema.
  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config.auth
    if (rule === undefined) return // static files and docs
    try {
      request.principal = await resolvePrincipal(ctx, request, reply)
    } catch (err) {
      // A stale cookie or token must not lock anyone out of signing in again or of the health check.
      if (!(rule === 'public' && err instanceof AppError && err.status === 401)) throw err
      request.principal = null
    }

    if (!SAFE_METHODS.has(request.method) && (request.principal?.method === 'session' || rule === 'public'))
      checkOrigin(ctx, request, request.principal?.method === 'session')

    if (rule === 'public') return
    const p = requirePrincipal(request)
    if (rule === 'admin' && p.user.role !== 'admin') throw forbidden('Only an admin can do this.')
  })
}
