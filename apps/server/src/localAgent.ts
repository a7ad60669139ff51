/**
 * Single-host mode (`wirewarp serve --local-agent`): the control server registers a server-mode
 * agent on its own host and keeps it running as a separate process, so someone who only wants a
 * VPN on one VPS runs one service and pastes nothing.
 *
 * The agent is registered once with a one-time token the server makes for itself; its config
 * and state live in `<dataDir>/local-agent/`. It runs as its own process with the privileges it
 * needs: as root it inherits them; otherwise WIREWARP_LOCAL_AGENT_COMMAND says how to start it
 * (e.g. `sudo -n /usr/local/bin/wirewarp-agent`), so the server itself needs no network rights.
 * Its public address comes from WIREWARP_PUBLIC_URL or the default route's interface, set once
 * when the tunnel server has none; the admin can correct it like any other.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { lookup } from 'node:dns/promises'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, networkInterfaces } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { ipFamily } from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import ipaddr from 'ipaddr.js'
import { REGISTRATION_TOKEN_PREFIX } from './api/registrationTokens.ts'
import { newSecret } from './auth/secretTokens.ts'
import type { Config } from './config.ts'
import type { Db } from './db/database.ts'
import { runChange, type StateSync } from './domain/change.ts'
import { changeTunnelServer } from './domain/tunnelServers.ts'
import { SYSTEM_ACTOR } from './store/auditLog.ts'
import { getRegistrationToken, insertRegistrationToken } from './store/registrationTokens.ts'
import { getTunnelServerOfAgent } from './store/tunnelServers.ts'

export interface LocalAgentDeps {
  config: Config
  db: Db
  hub: StateSync
  log: FastifyBaseLogger
  /** The server's own URL (as it listens). */
  serverUrl: string
  agentBundle: string
}

export interface LocalAgent {
  stop(): Promise<void>
}

// The agent's exit codes (apps/agent/src/exitCodes.ts): refused by the server, and updated.
const EXIT_REFUSED = 3
const EXIT_UPDATED = 75

/** The server's URL as seen from its own host: a wildcard bind answers on loopback. */
export function loopbackUrl(serverUrl: string): string {
  const u = new URL(serverUrl)
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1'
  return u.toString().replace(/\/$/, '')
}

/** The IPv4 address of the interface the default route leaves by, from /proc/net/route. */
export function defaultRouteAddress(
  routeTable = (() => {
    try {
      return readFileSync('/proc/net/route', 'utf8')
    } catch {
      return ''
    }
  })(),
  interfaces = networkInterfaces(),
): string | null {
  const line = routeTable
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === '00000000' && f[7] === '00000000')
  const iface = line?.[0]
  const addr = iface ? interfaces[iface]?.find((a) => a.family === 'IPv4' && !a.internal) : undefined
  return addr?.address ?? null
}

/**
 * Where devices and sites reach this host: WIREWARP_PUBLIC_URL's address (its name resolved),
 * else the default route's interface. The host name also becomes the devices' endpoint, so a
 * changing address behind a DNS name keeps working.
 */
export async function publicAddressOfHost(
  publicUrl: string | undefined,
  resolve: (host: string) => Promise<string> = async (h) => (await lookup(h)).address,
): Promise<{ ip: string | null; endpointHost: string | null }> {
  if (publicUrl) {
    const host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '')
    if (ipFamily(host) !== null) return { ip: ipaddr.process(host).toString(), endpointHost: null }
    try {
      return { ip: await resolve(host), endpointHost: host }
    } catch {
      return { ip: defaultRouteAddress(), endpointHost: host }
    }
  }
  return { ip: defaultRouteAddress(), endpointHost: null }
}

async function mintToken(db: Db, name: string): Promise<{ id: string; token: string }> {
  const { token, hash } = newSecret(REGISTRATION_TOKEN_PREFIX)
  const row = await insertRegistrationToken(db, {
    name,
    kind: 'server',
    tokenHash: hash,
    tunnelServerId: null,
    createdBy: null,
    expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
  })
  return { id: row.id, token }
}

function pipeLines(child: ChildProcess, log: FastifyBaseLogger): void {
  for (const stream of [child.stdout, child.stderr])
    if (stream) createInterface({ input: stream }).on('line', (line) => log.info({ localAgent: true }, line))
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(127))
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

export async function startLocalAgent(deps: LocalAgentDeps): Promise<LocalAgent> {
  const { config, log } = deps
  const local = config.localAgent!
  const dir = path.join(config.dataDir, 'local-agent')
  const configFile = path.join(dir, 'agent.yaml')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const command = local.command ?? [process.execPath, deps.agentBundle]
  const url = loopbackUrl(deps.serverUrl)
  const start = (args: string[]) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    pipeLines(child, log)
    return child
  }

  if (!existsSync(configFile)) {
    const name =
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 60) || 'this-host'
    const { id, token } = await mintToken(deps.db, name)
    const code = await exitOf(
      start([
        'register',
        '--url',
        url,
        '--token',
        token,
        '--mode',
        'server',
        '--name',
        name,
        '--config',
        configFile,
        '--state-dir',
        path.join(dir, 'state'),
        '--driver',
        local.driver,
      ]),
    )
    if (code !== 0) throw new Error(`the local agent did not register (exit code ${code}); see the lines above`)
    const used = await getRegistrationToken(deps.db, id)
    if (used?.usedByAgentId) await setPublicAddress(deps, used.usedByAgentId)
    log.info({ configFile }, 'local agent registered')
  }

  pointAtServer(configFile, url, log)

  let child: ChildProcess | null = null
  let stopping = false
  let delayMs = 1000
  const loop = (async () => {
    while (!stopping) {
      const startedAt = Date.now()
      child = start(['run', '--config', configFile])
      const code = await exitOf(child)
      child = null
      if (stopping) return
      if (code === EXIT_REFUSED) {
        log.error(
          `the server refused the local agent (deleted on the dashboard?); remove ${dir} and restart the server to register it again`,
        )
        return
      }
      // An update restarts at once; a crash waits longer each time it repeats quickly.
      if (code === EXIT_UPDATED) delayMs = 0
      else if (Date.now() - startedAt > 60_000) delayMs = 1000
      log.warn({ code, restartInMs: delayMs }, 'local agent exited')
      await new Promise((r) => setTimeout(r, delayMs))
      delayMs = Math.min(Math.max(delayMs * 2, 1000), 30_000)
    }
  })()

  return {
    async stop() {
      stopping = true
      const c = child as ChildProcess | null
      if (c && c.exitCode === null) {
        const exited = exitOf(c)
        c.kill('SIGTERM')
        const timer = setTimeout(() => c.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      await loop
    },
  }
}

/**
 * The agent's config names the server's URL as it was at registration; when the server moved to
 * another port, the local agent follows (the line is the agent's `serverUrl:`, a JSON string being
 * valid YAML).
 */
export function pointAtServer(configFile: string, url: string, log: FastifyBaseLogger): void {
  const text = readFileSync(configFile, 'utf8')
  const next = text.replace(/^serverUrl:.*$/m, `serverUrl: ${JSON.stringify(url)}`)
  if (next === text) return
  writeFileSync(configFile, next, { mode: 0o600 })
  log.info({ url }, 'local agent: pointed at this server')
}

/** The tunnel server of a just-registered local agent gets this host's public address, once. */
async function setPublicAddress(deps: LocalAgentDeps, agentId: string): Promise<void> {
  const server = await getTunnelServerOfAgent(deps.db, agentId)
  if (!server || server.publicIp) return
  const { ip, endpointHost } = await publicAddressOfHost(deps.config.publicUrl)
  if (!ip && !endpointHost) {
    deps.log.warn('no public address found for this host: set it on the tunnel server page')
    return
  }
  await runChange(deps, SYSTEM_ACTOR, (tx) =>
    changeTunnelServer(tx, server.id, {
      ...(ip ? { publicIp: ip } : {}),
      ...(endpointHost ? { clientEndpoint: `${endpointHost}:${server.wgPort}` } : {}),
    }),
  )
  deps.log.info({ publicIp: ip, endpoint: endpointHost }, 'local agent: public address set')
}
