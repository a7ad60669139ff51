/** Starts the control server: database, migrations, seeds, first admin, HTTP, jobs, graceful stop. */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyBaseLogger } from 'fastify'
import { buildApp } from './app.ts'
import { agentAuthThrottle } from './auth/agentAuthThrottle.ts'
import { DeviceCookies } from './auth/deviceCookie.ts'
import { LoginThrottle } from './auth/loginThrottle.ts'
import type { Config } from './config.ts'
import { openDatabase } from './db/database.ts'
import { migrate } from './db/migrate.ts'
import { ensureFirstAdmin } from './firstAdmin.ts'
import type { AppContext } from './http/context.ts'
import type { App } from './http/types.ts'
import { AgentHub } from './hub/agentHub.ts'
import { LiveEvents } from './hub/liveEvents.ts'
import { ReleaseCatalogue } from './releases/releaseCatalogue.ts'
import { SecretBox } from './secretBox.ts'
import { loadSecret } from './secretKey.ts'
import { deleteDeviceTrafficBefore } from './store/deviceStats.ts'
import { deleteMetricsBefore } from './store/metrics.ts'
import { seedBuiltinTemplates } from './store/serviceTemplates.ts'
import { deleteExpiredSessions } from './store/sessions.ts'
import { deleteExpiredThrottleKeys } from './store/throttle.ts'
import { VERSION } from './version.ts'

export interface RunningServer {
  app: App
  ctx: AppContext
  url: string
  close(): Promise<void>
}

/** apps/web/dist, found from this file in the bundle (apps/server/dist) and in source (apps/server/src). */
export function defaultWebDir(): string {
  return process.env.WIREWARP_WEB_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist')
}

/** apps/agent/dist/wirewarp-agent.js, found the same way as the dashboard. */
export function defaultAgentBundle(): string {
  return (
    process.env.WIREWARP_AGENT_BUNDLE ??
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../agent/dist/wirewarp-agent.js')
  )
}

/** dist/release at the repository's root, where `npm run build:release` writes; found the same way. */
export function defaultReleaseDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/release')
}

export async function startServer(
  config: Config,
  log: FastifyBaseLogger,
  opts: { webDir?: string; listen?: boolean } = {},
): Promise<RunningServer> {
  const { secret } = loadSecret(config.dataDir, config.secret)
  const { db, dialect, location } = openDatabase({
    ...config,
    onIdleError: (err) => log.warn({ err }, 'the database closed an idle connection; the next query opens a new one'),
  })
  try {
    const applied = await migrate(db, dialect)
    log.info({ database: location, dialect, migrations: applied }, 'database ready')
    await seedBuiltinTemplates(db)
    await ensureFirstAdmin(db, log, { email: config.adminEmail, password: config.adminPassword })
  } catch (err) {
    await db.destroy()
    throw err
  }

  const events = new LiveEvents()
  const releases = new ReleaseCatalogue({
    builtinDir: defaultReleaseDir(),
    agentBundle: defaultAgentBundle(),
    agentVersion: VERSION,
    releasesDir: config.releasesDir,
    log,
  })
  const secrets = new SecretBox(secret)
  const hub = new AgentHub({
    secrets,
    releases,
    db,
    log,
    events,
    serverVersion: VERSION,
    deadAfterMs: config.agentDeadAfterMs,
    guard: agentAuthThrottle(db),
  })
  await hub.start()
  const ctx: AppContext = {
    db,
    dialect,
    config,
    throttle: new LoginThrottle(db),
    deviceCookies: new DeviceCookies(secret),
    secrets,
    version: VERSION,
    hub,
    events,
    releases,
  }
  const app = await buildApp(ctx, {
    logger: log,
    webDir: opts.webDir ?? defaultWebDir(),
    agentBundle: defaultAgentBundle(),
  })

  const sweep = setInterval(() => {
    deleteExpiredSessions(db, new Date(Date.now() - config.sessionIdleMs).toISOString()).catch((err) =>
      log.error({ err }, 'session cleanup failed'),
    )
  }, 10 * 60_000)
  sweep.unref()
  const retention = setInterval(() => {
    const before = new Date(Date.now() - config.metricsRetentionMs).toISOString()
    deleteMetricsBefore(db, before).catch((err) => log.error({ err }, 'metrics retention failed'))
    deleteDeviceTrafficBefore(db, before).catch((err) => log.error({ err }, 'device traffic retention failed'))
  }, 3600_000)
  retention.unref()
  // Forgiven throttle keys only take space: claims treat them as fresh whether swept or not.
  const throttleSweep = setInterval(() => {
    deleteExpiredThrottleKeys(db, Date.now()).catch((err) => log.error({ err }, 'throttle cleanup failed'))
  }, 10 * 60_000)
  throttleSweep.unref()

  let url = ''
  if (opts.listen !== false) {
    url = await app.listen({ port: config.port, host: config.host })
  }

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweep)
      clearInterval(retention)
      clearInterval(throttleSweep)
      await hub.stop()
      await app.close()
      await db.destroy()
    })()
    return closing
  }
  return { app, ctx, url, close }
}
