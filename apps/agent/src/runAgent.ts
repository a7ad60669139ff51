/**
 * `wirewarp-agent run`: applies the saved state, then keeps one connection to the hub alive
 * (hello, heartbeats, metrics, reconnects with backoff) and hands states and commands to an
 * AgentSession. Resolves with the process exit code; never calls process.exit itself.
 *
 * The `restart` command restarts the agent inside the process: the socket is closed cleanly, the
 * config is read again, the saved state is applied again and the agent reconnects at once. A
 * config that has become invalid is reported and the running one kept.
 *
 * The `uninstall` command removes the agent from the host (uninstallAgent.ts); once its report
 * is sent, the socket is closed, the service manager is told not to start the agent again, and
 * the promise resolves EXIT_UNINSTALLED.
 *
 * Every `driftCheckMs` (60 s) the session checks the host against the state last applied and
 * repairs drift (someone ran `nft flush ruleset`), connected or not; the `check_drift` command
 * does the same at once. Repairs are reported to hubs whose welcome lists `drift_repaired`.
 *
 * The `update` command installs a new release (selfUpdate.ts); once its result is sent, the socket
 * is closed and the promise resolves EXIT_RESTART, for the launcher to start the new version. A
 * new version started with a pending update record for it reports revision 0 on hello, so the hub
 * sends its state again; once that state is applied it marks the record confirmed and reconnects,
 * so the next hello reports the outcome (as the old version reports a rollback).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type AgentMessage,
  CloseCode,
  DEAD_AFTER_SECONDS,
  FATAL_HUB_ERRORS,
  HEARTBEAT_SECONDS,
  PROTOCOL_VERSION,
} from '@wirewarp/protocol'
import WebSocket from 'ws'
import { type AgentConfig, ConfigError, loadAgentConfig } from './agentConfig.ts'
import { collectAgentFacts } from './agentFacts.ts'
import { AgentSession } from './agentSession.ts'
import { Backoff, type BackoffOptions } from './backoff.ts'
import { createDriver } from './drivers/createDriver.ts'
import { type Driver, DriverUnavailable } from './drivers/driver.ts'
import { run as hostRun } from './exec/run.ts'
import { EXIT_FAILURE, EXIT_OK, EXIT_REFUSED, EXIT_RESTART, EXIT_UNINSTALLED, EXIT_USAGE } from './exitCodes.ts'
import { parseHubFrame } from './hubFrame.ts'
import { hubUrl } from './hubUrl.ts'
import type { Logger } from './logger.ts'
import { MetricsSampler } from './metricsSampler.ts'
import { loadOrCreatePrivateKey } from './privateKeyFile.ts'
import { hostProbeDeps } from './probeHost.ts'
import { type InstallLayout, installLayout } from './removeInstallation.ts'
import {
  installUpdate,
  readUpdateRecord,
  type UpdateRecord,
  type UpdateTargetDeps,
  updateReport,
  updateTarget,
  writeUpdateRecord,
} from './selfUpdate.ts'
import { describeSocketError } from './socketErrors.ts'
import { StateStore } from './stateStore.ts'
import { type ServiceManager, stopService, UninstallIncomplete, uninstallAgent } from './uninstallAgent.ts'
import { VERSION } from './version.ts'

export interface RunAgentOptions {
  configPath: string
  log: Logger
  /** Aborting it stops the agent: the socket is closed with 1000 and the promise resolves 0. */
  signal: AbortSignal
  backoff?: BackoffOptions
  /** For the WebSocket handshake, and again for the server's answer to hello. */
  connectTimeoutMs?: number
  /** Silence from the server for this long drops the connection. */
  deadAfterMs?: number
  /** Overrides the heartbeat interval the server asks for in welcome (tests). */
  heartbeatMs?: number
  /** Overrides `metricsSeconds` from the config (tests). */
  metricsMs?: number
  /** The largest frame taken from the hub; a larger one closes the socket with 1009 (tests). */
  maxFrameBytes?: number
  /** Where the installation lives, for `uninstall` (default: the install script's, under WIREWARP_PREFIX). */
  layout?: InstallLayout
  /** How the `update` command finds the file to replace (tests). */
  updateTarget?: UpdateTargetDeps
  /** How often the host is checked for drift (default 60 s; tests). */
  driftCheckMs?: number
}

/** How often the agent compares the host with the state it applied and repairs drift. */
export const DRIFT_CHECK_MS = 60_000

/**
 * The largest frame the agent reads from the hub. A state for 10,000 peers is about 1.5 MB; this
 * leaves room for states near the protocol's peer and forward limits, while a runaway or hostile
 * server still cannot make the agent buffer without end (ws's own default is 100 MiB).
 */
export const MAX_HUB_FRAME_BYTES = 64 * 1024 * 1024

/** Everything that depends on the config file; rebuilt by `restart`. */
interface Agent {
  config: AgentConfig
  driver: Driver
  session: AgentSession
  publicKey: string
  sampler: MetricsSampler
}

type Outcome =
  | { kind: 'stopped' }
  | { kind: 'retry' }
  | { kind: 'restart' }
  | { kind: 'replaced' }
  | { kind: 'uninstalled' }
  | { kind: 'updated' }
  | { kind: 'reconnect' }
  | { kind: 'refused'; reason: string }

class StartError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message)
  }
}

/** What the session sends through: whichever socket is current, or nowhere while disconnected. */
interface Link {
  socket: WebSocket | null
  restart: () => void
  /** Closes the current socket after an uninstall (its report is queued before the close). */
  leave: () => void
  /** Set once an uninstall removed the agent, with the service manager it ran under. */
  uninstalled: ServiceManager | null
  /** Set once an update swapped the executable: the agent exits with EXIT_RESTART. */
  updated: boolean
  /** Closes the current socket so the agent says hello again at once (an update was confirmed). */
  reconnect: () => void
  /** The update record read at start and kept current; null: none. */
  update: UpdateRecord | null
  /** Wakes the agent from a reconnect delay (stopping, or after an update). */
  wake: AbortController
  /** What the hub connected now listed in its welcome (HUB_FEATURES); empty while disconnected. */
  hubFeatures: Set<string>
}

export async function runAgent(opts: RunAgentOptions): Promise<number> {
  const { log } = opts
  const link: Link = {
    socket: null,
    restart: () => {},
    leave: () => {},
    uninstalled: null,
    updated: false,
    reconnect: () => {},
    update: null,
    wake: new AbortController(),
    hubFeatures: new Set(),
  }
  // One holder: `restart` swaps the agent, and the drift timer checks whichever is current.
  const current: { agent: Agent } = { agent: undefined as never }
  try {
    current.agent = await startAgent(opts, link)
  } catch (err) {
    if (err instanceof StartError) {
      log.error(err.message)
      return err.exitCode
    }
    throw err
  }

  // Across connections (and restarts): a host is repaired while the server is down too.
  let checking = false
  const driftTimer = setInterval(() => {
    if (checking) return
    checking = true
    current.agent.session
      .checkDrift()
      .catch((err) => log.warn(`drift check failed: ${(err as Error).message}`))
      .finally(() => {
        checking = false
      })
  }, opts.driftCheckMs ?? DRIFT_CHECK_MS)
  try {
    return await runConnected(opts, link, current)
  } finally {
    clearInterval(driftTimer)
  }
}

/** The connect loop of runAgent, until the agent stops; `restart` puts its new agent in `current`. */
async function runConnected(opts: RunAgentOptions, link: Link, current: { agent: Agent }): Promise<number> {
  const { log, signal } = opts
  let agent = current.agent
  const backoff = new Backoff(opts.backoff)
  // Stopping or an update ends a reconnect delay (no AbortSignal.any: Node 20.0–20.2 lack it).
  signal.addEventListener('abort', () => link.wake.abort(), { once: true })
  if (signal.aborted) link.wake.abort()
  // Whatever ended the connection: an agent whose files are gone does not reconnect.
  while (!signal.aborted && !link.uninstalled && !link.updated) {
    const outcome = await connectOnce(agent, opts, link, backoff)
    if (link.uninstalled || link.updated) break
    switch (outcome.kind) {
      case 'stopped':
      case 'uninstalled':
      case 'updated':
        break
      case 'reconnect':
        backoff.reset()
        continue
      case 'replaced':
        log.info('another agent process connected with this identity and replaced this one; exiting')
        await settle(agent)
        return EXIT_OK
      case 'refused':
        log.error(`${outcome.reason}. Not retrying with a credential the server refused.`)
        await settle(agent)
        return EXIT_REFUSED
      case 'restart':
        await settle(agent)
        agent = await restartAgent(agent, opts, link)
        current.agent = agent
        backoff.reset()
        continue
      case 'retry': {
        if (signal.aborted) break
        const delay = backoff.next()
        log.info(`reconnecting in ${(delay / 1000).toFixed(1)} s`)
        await sleep(delay, undefined, { signal: link.wake.signal }).catch(() => {})
      }
    }
  }
  await settle(agent)
  if (link.updated) {
    log.info(`updated to ${link.update?.to ?? 'a new version'}: exiting for the launcher to start it`)
    return EXIT_RESTART
  }
  if (link.uninstalled) {
    await stopService(opts.layout ?? installLayout(), link.uninstalled, hostRun)
    log.info('uninstalled: the agent removed itself from this host; exiting')
    return EXIT_UNINSTALLED
  }
  log.info('stopped')
  return EXIT_OK
}

/** Lets an apply in progress finish, so the files on disk match what was applied; bounded. */
async function settle(agent: Agent): Promise<void> {
  await Promise.race([agent.session.idle(), sleep(5000, undefined, { ref: false })])
}

async function startAgent(opts: RunAgentOptions, link: Link): Promise<Agent> {
  const { log } = opts
  let config: AgentConfig
  try {
    const loaded = await loadAgentConfig(opts.configPath)
    for (const w of loaded.warnings) log.warn(w)
    config = loaded.config
  } catch (err) {
    if (err instanceof ConfigError) throw new StartError(EXIT_USAGE, err.message)
    throw err
  }
  log.redact(config.credential)

  let driver: Driver
  try {
    driver = createDriver(config)
  } catch (err) {
    if (err instanceof DriverUnavailable) throw new StartError(EXIT_USAGE, `${opts.configPath}: ${err.message}`)
    throw err
  }

  const store = new StateStore(config.stateDir)
  let publicKey: string
  try {
    await store.open()
    publicKey = (await loadOrCreatePrivateKey(config.stateDir)).publicKey
  } catch (err) {
    throw new StartError(EXIT_FAILURE, `cannot use the state directory ${config.stateDir}: ${(err as Error).message}`)
  }

  const session = new AgentSession({
    driver,
    store,
    mode: config.mode,
    log,
    send: (message) => send(link.socket, message, log),
    onRestart: () => link.restart(),
    uninstall: async () => {
      try {
        const report = await uninstallAgent({
          driver,
          layout: opts.layout ?? installLayout(),
          configPath: opts.configPath,
          stateDir: config.stateDir,
          run: hostRun,
        })
        link.uninstalled = report.service.manager
        return report
      } catch (err) {
        if (err instanceof UninstallIncomplete) link.uninstalled = err.report.service.manager
        throw err
      }
    },
    onUninstalled: () => link.leave(),
    update: async (params) => {
      const target = await updateTarget(opts.updateTarget ?? { ...hostProbeDeps, env: process.env })
      log.info(`update: downloading ${String(params.version)} to replace ${target}`)
      const result = await installUpdate(params, { target, stateDir: config.stateDir, currentVersion: VERSION })
      link.update = await readUpdateRecord(config.stateDir)
      log.info(`update: installed ${result.to} over ${target} (the previous version kept as ${target}.previous)`)
      return result
    },
    onUpdated: () => {
      link.updated = true
      link.leave()
      link.wake.abort()
    },
    onAppliedOk: () => void confirmUpdate(config.stateDir, link, log),
    hubHas: (feature) => link.hubFeatures.has(feature),
  })
  log.info(
    `wirewarp-agent ${VERSION} starting: ${config.mode} mode, agent ${config.agentId}, driver ${driver.name}, state in ${config.stateDir}`,
  )
  await session.loadApplied()
  link.update = await readUpdateRecord(config.stateDir)
  if (link.update?.state === 'pending' && link.update.to === VERSION)
    log.info(`update from ${link.update.from} pending: confirming it once the server's state is applied`)
  // Before the server is reachable: a host that reboots while the server is down comes back
  // with its tunnels and forwards.
  await session.applySavedState()
  const stats = driver.stats?.bind(driver)
  return { config, driver, session, publicKey, sampler: new MetricsSampler(undefined, stats) }
}

async function restartAgent(previous: Agent, opts: RunAgentOptions, link: Link): Promise<Agent> {
  opts.log.info('restarting: reading the config again and applying the saved state')
  try {
    return await startAgent(opts, link)
  } catch (err) {
    if (!(err instanceof StartError)) throw err
    opts.log.error(`restart: ${err.message}; keeping the running configuration`)
    await previous.session.applySavedState()
    return previous
  }
}

/** This version was started for a pending update of it: it confirms once connected and applied. */
const confirming = (link: Link) => link.update?.state === 'pending' && link.update.to === VERSION

async function confirmUpdate(stateDir: string, link: Link, log: Logger): Promise<void> {
  if (!confirming(link) || !link.update) return
  const confirmed: UpdateRecord = {
    ...link.update,
    state: 'confirmed',
    finishedAt: new Date().toISOString(),
    reported: false,
  }
  link.update = confirmed
  try {
    await writeUpdateRecord(stateDir, confirmed)
  } catch (err) {
    log.error(`could not confirm the update in ${stateDir}: ${(err as Error).message}; the launcher will roll it back`)
    return
  }
  log.info(`update from ${confirmed.from} to ${confirmed.to} confirmed; reconnecting to report it`)
  link.reconnect()
}

async function markReported(stateDir: string, link: Link, log: Logger): Promise<void> {
  const r = link.update
  if (!r || r.reported || r.state === 'pending') return
  link.update = { ...r, reported: true }
  await writeUpdateRecord(stateDir, link.update).catch((err) =>
    log.warn(`could not note that the update outcome was reported: ${(err as Error).message}`),
  )
}

function send(socket: WebSocket | null, message: AgentMessage, log: Logger): void {
  if (socket?.readyState !== WebSocket.OPEN) {
    // The hello after reconnecting reports the applied revision, so nothing is lost.
    log.debug(`not connected; dropped a ${message.type} message`)
    return
  }
  socket.send(JSON.stringify(message))
}

function connectOnce(agent: Agent, opts: RunAgentOptions, link: Link, backoff: Backoff): Promise<Outcome> {
  const { log, signal } = opts
  const { config } = agent
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000
  const baseDeadMs = opts.deadAfterMs ?? DEAD_AFTER_SECONDS * 1000
  const url = hubUrl(config.serverUrl)!

  return new Promise<Outcome>((resolve) => {
    const ws = new WebSocket(url, {
      handshakeTimeout: connectTimeoutMs,
      maxPayload: opts.maxFrameBytes ?? MAX_HUB_FRAME_BYTES,
      headers: { 'user-agent': `wirewarp-agent/${VERSION}` },
    })
    link.socket = ws
    let welcomed = false
    let stopping = false
    let restarting = false
    let reconnecting = false
    let reported = false
    let refusal: string | null = null
    let failure: string | null = null
    let deadMs = baseDeadMs
    let welcomeTimer: NodeJS.Timeout | undefined
    const timers: NodeJS.Timeout[] = []

    const onDead = () => {
      const silence = deadMs >= 1000 ? `${Math.round(deadMs / 1000)} s` : `${deadMs} ms`
      log.warn(`no word from the server for ${silence}; dropping the connection`)
      ws.terminate()
    }
    let deadTimer = setTimeout(onDead, deadMs)
    const heard = () => deadTimer.refresh()

    const onAbort = () => {
      stopping = true
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'agent stopping')
      else ws.terminate()
      // A server that never answers the close frame must not keep us from exiting.
      timers.push(setTimeout(() => ws.terminate(), 2000))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    if (signal.aborted) onAbort()

    link.restart = () => {
      restarting = true
      // close() sends after whatever is queued, so the command_result reaches the server first.
      ws.close(1000, 'agent restarting')
      timers.push(setTimeout(() => ws.terminate(), 2000))
    }
    link.leave = () => {
      ws.close(1000, link.updated ? 'agent updating' : 'agent uninstalled')
      timers.push(setTimeout(() => ws.terminate(), 2000))
    }
    link.reconnect = () => {
      reconnecting = true
      ws.close(1000, 'agent reconnecting')
      timers.push(setTimeout(() => ws.terminate(), 2000))
    }

    ws.on('open', async () => {
      heard()
      welcomeTimer = setTimeout(() => {
        failure = `the server did not answer hello within ${Math.round(connectTimeoutMs / 1000)} s`
        ws.terminate()
      }, connectTimeoutMs)
      try {
        const facts = await collectAgentFacts(agent.driver, agent.publicKey)
        const update = updateReport(link.update)
        reported = update !== undefined
        send(
          ws,
          {
            type: 'hello',
            protocolVersion: PROTOCOL_VERSION,
            agentId: config.agentId,
            credential: config.credential,
            // Revision 0 while confirming an update: the hub sends the state again, to be applied.
            appliedRevision: confirming(link) ? 0 : agent.session.appliedRevision,
            appliedEpoch: agent.session.appliedEpoch,
            commands: agent.session.commands,
            facts,
            ...(update && { update }),
          },
          log,
        )
      } catch (err) {
        failure = `could not collect the host facts: ${(err as Error).message}`
        ws.terminate()
      }
    })

    ws.on('pong', heard)
    ws.on('ping', heard)

    ws.on('message', (data, isBinary) => {
      heard()
      if (isBinary) return
      const frame = parseHubFrame(data.toString())
      if (!frame.ok) {
        log.warn(`ignored a message from the server the agent cannot read: ${frame.problem}`)
        if (frame.reply) send(ws, frame.reply, log)
        return
      }
      const msg = frame.message
      switch (msg.type) {
        case 'welcome': {
          welcomed = true
          link.hubFeatures = new Set(msg.features ?? [])
          clearTimeout(welcomeTimer)
          backoff.connected()
          const heartbeatMs = opts.heartbeatMs ?? Math.max(1, msg.heartbeatSeconds || HEARTBEAT_SECONDS) * 1000
          // Never call a connection dead between two of our own heartbeats and their answers.
          deadMs = Math.max(baseDeadMs, 3 * heartbeatMs)
          clearTimeout(deadTimer)
          deadTimer = setTimeout(onDead, deadMs)
          log.info(`connected to ${config.serverUrl} as agent ${msg.agentId} (server ${msg.serverVersion})`)
          if (reported) void markReported(config.stateDir, link, log)
          timers.push(
            setInterval(() => {
              send(ws, { type: 'heartbeat' }, log)
              // A transport ping too: its pong proves the link even if the hub does not ack heartbeats.
              if (ws.readyState === WebSocket.OPEN) ws.ping()
            }, heartbeatMs),
          )
          timers.push(
            setInterval(
              () => {
                agent.sampler
                  .sample()
                  .then((sample) => send(ws, { type: 'metrics', at: new Date().toISOString(), sample }, log))
                  .catch((err) => log.warn(`could not take a metrics sample: ${(err as Error).message}`))
              },
              opts.metricsMs ?? config.metricsSeconds * 1000,
            ),
          )
          break
        }
        case 'desired_state':
          void agent.session.receiveState(msg.state)
          break
        case 'command':
          void agent.session.runCommand(msg)
          break
        case 'error':
          if ((FATAL_HUB_ERRORS as readonly string[]).includes(msg.code)) {
            refusal = `the server refused this agent: ${msg.message} [${msg.code}]`
            // The hub closes after a fatal error; closing too means we never wait on one that does not.
            ws.close(1000, 'refused')
          } else log.warn(`the server reported an error: ${msg.message} [${msg.code}]`)
          break
        case 'heartbeat_ack':
          break
        case 'registered':
          log.warn('ignored an unexpected registered message')
          break
      }
    })

    ws.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        // ws has already answered with close code 1009; the reconnect fetches the state again.
        log.warn(
          `the server sent a frame larger than ${opts.maxFrameBytes ?? MAX_HUB_FRAME_BYTES} bytes; dropping the connection`,
        )
      failure ??= describeSocketError(err, connectTimeoutMs)
    })

    ws.on('close', (code, reasonBuf) => {
      for (const t of [...timers, deadTimer, welcomeTimer]) clearTimeout(t)
      signal.removeEventListener('abort', onAbort)
      if (link.socket === ws) {
        link.socket = null
        link.hubFeatures = new Set()
      }
      link.restart = () => {}
      link.leave = () => {}
      link.reconnect = () => {}
      if (welcomed) backoff.disconnected()
      const reason = reasonBuf.toString()
      const said = `code ${code}${reason ? `, ${reason}` : ''}`

      if (stopping) return resolve({ kind: 'stopped' })
      if (link.uninstalled) return resolve({ kind: 'uninstalled' })
      if (link.updated) return resolve({ kind: 'updated' })
      if (reconnecting) return resolve({ kind: 'reconnect' })
      if (restarting) return resolve({ kind: 'restart' })
      if (refusal) return resolve({ kind: 'refused', reason: refusal })
      if (code === CloseCode.deleted)
        return resolve({ kind: 'refused', reason: `the server deleted this agent (${said}); register it again` })
      if (code === CloseCode.replaced) return resolve({ kind: 'replaced' })
      if (welcomed) log.warn(`lost the connection to ${config.serverUrl} (${said})`)
      else if (failure) log.warn(`cannot reach the server at ${config.serverUrl}: ${failure}`)
      else log.warn(`the server at ${config.serverUrl} closed the connection before welcome (${said})`)
      resolve({ kind: 'retry' })
    })
  })
}
