/** Builds the Fastify application: plugins, error handling, auth, API routes, docs and the dashboard. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import websocket from '@fastify/websocket'
import { FRAME_LIMITS } from '@wirewarp/protocol'
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify'
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { agentRoutes } from './api/agents.ts'
import { apiTokenRoutes } from './api/apiTokens.ts'
import { auditLogRoutes } from './api/auditLog.ts'
import { authRoutes } from './api/auth.ts'
import { deviceRoutes } from './api/devices.ts'
import { eventRoutes } from './api/events.ts'
import { healthRoutes } from './api/health.ts'
import { overviewRoutes } from './api/overview.ts'
import { passwordRoutes } from './api/password.ts'
import { portForwardRoutes } from './api/portForwards.ts'
import { registrationTokenRoutes } from './api/registrationTokens.ts'
import { releaseRoutes } from './api/releases.ts'
import { ruleRoutes } from './api/rules.ts'
import { serviceTemplateRoutes } from './api/serviceTemplates.ts'
import { tunnelClientRoutes } from './api/tunnelClients.ts'
import { tunnelServerRoutes } from './api/tunnelServers.ts'
import { userRoutes } from './api/users.ts'
import { versionRoutes } from './api/version.ts'
import { installErrorHandler, notFoundBody } from './errors.ts'
import { installAuth } from './http/authenticate.ts'
import { clientErrorHandler, frameworkErrorHandler } from './http/clientErrors.ts'
import type { AppContext } from './http/context.ts'
import { installJsonBodyParser } from './http/jsonBody.ts'
import { installNulCheck } from './http/refuseNul.ts'
import { installRequestLog } from './http/requestLog.ts'
import { docsCsp, installSecurityHeaders } from './http/securityHeaders.ts'
import { httpTimeouts } from './http/timeouts.ts'
import { trustProxyOption } from './http/trustProxy.ts'
import type { App } from './http/types.ts'

/** The API docs' top-bar logo: the product's name as white text, for Swagger UI's dark bar. */
const DOCS_LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">' +
  '<text x="0" y="28" font-family="system-ui, sans-serif" font-size="24" font-weight="700" fill="#fff">WireWarp</text>' +
  '</svg>'

export interface BuildOptions {
  logger: FastifyBaseLogger
  /** The built dashboard (apps/web/dist); when missing, only the API is served. */
  webDir?: string | undefined
  /** The built agent (apps/agent/dist/wirewarp-agent.js) served at /releases/. */
  agentBundle: string
}

export async function buildApp(ctx: AppContext, opts: BuildOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: opts.logger,
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    ...httpTimeouts(ctx.config.requestTimeoutMs),
    clientErrorHandler: clientErrorHandler(ctx.config.requestTimeoutMs),
    frameworkErrors: frameworkErrorHandler,
    // Event streams and agent sockets never go idle; on shutdown they are closed, not waited for.
    forceCloseConnections: true,
    bodyLimit: 1024 * 1024,
    // Ids, not counters, so that log lines from concurrent requests can be told apart across restarts.
    genReqId: () => crypto.randomUUID(),
    // Fastify's own lines (two per request, at info) are replaced by http/requestLog.ts.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>()

  // JSON only: Fastify's text/plain parser would let a cross-site form post (no CORS preflight) reach validation.
  app.removeContentTypeParser('text/plain')
  installJsonBodyParser(app)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandler(app)
  installNulCheck(app)
  installRequestLog(app)
  await installSecurityHeaders(app)

  await app.register(cookie)
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'WireWarp API',
        version: ctx.version,
        description:
          'REST API of the WireWarp control server. Authenticate with the dashboard session cookie or with `Authorization: Bearer <API token>`. Errors are `{error: {code, message, fields?}}`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token from /api/v1/api-tokens' },
          session: { type: 'apiKey', in: 'cookie', name: 'wirewarp_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    transformStaticCSP: docsCsp,
    // The product's name instead of Swagger's logo. A data: image, which the CSP's img-src allows.
    logo: { type: 'image/svg+xml', content: Buffer.from(DOCS_LOGO), href: '/api/docs', target: '_self' },
    theme: { title: 'WireWarp API' },
  })

  // Sized for a tunnel server with 10,000 peers (its metrics); a bigger frame closes the socket with 1009.
  await app.register(websocket, { options: { maxPayload: FRAME_LIMITS.maxBytes } })
  app.get('/ws/agent', { websocket: true, schema: { hide: true } }, (socket, request) =>
    ctx.hub.accept(socket, request.ip),
  )

  installAuth(app, ctx)
  for (const routes of [
    healthRoutes,
    versionRoutes,
    authRoutes,
    passwordRoutes,
    userRoutes,
    apiTokenRoutes,
    agentRoutes,
    registrationTokenRoutes,
    tunnelServerRoutes,
    tunnelClientRoutes,
    portForwardRoutes,
    serviceTemplateRoutes,
    deviceRoutes,
    ruleRoutes,
    auditLogRoutes,
    overviewRoutes,
    eventRoutes,
  ])
    routes(app, ctx)
  releaseRoutes(app, ctx, opts.agentBundle)

  const webDir = opts.webDir
  const hasDashboard = webDir !== undefined && existsSync(path.join(webDir, 'index.html'))
  if (hasDashboard) await app.register(fastifyStatic, { root: webDir, wildcard: true, index: ['index.html'] })
  else opts.logger.warn({ webDir }, 'dashboard not built (run `npm run build`); serving the API only')
  app.setNotFoundHandler((request, reply) => {
    // Any other non-API GET is a dashboard route: the SPA decides what to show.
    const apiLike = ['/api/', '/ws/', '/releases/', '/install/'].some((p) => request.url.startsWith(p))
    if (hasDashboard && request.method === 'GET' && !apiLike) return reply.type('text/html').sendFile('index.html')
    return reply.status(404).send(notFoundBody(request.method, request.url))
  })

  return app
}
