/**
 * The WebSocket hub at /ws/agent: one connection per agent. It reads each frame (agentFrames.ts),
 * lets the first one register or authenticate the agent (handshake.ts), keeps track of who is
 * connected (presence.ts), pushes desired states latest-wins (statePusher.ts) and runs commands
 * (commands.ts), self-updates among them (agentUpdates.ts). Frames of one socket are handled one at a time, in the order sent.
 */
import {
  type AgentMessage,
  CloseCode,
  type CommandLogEntry,
  type CommandName,
  type DesiredState,
  HEARTBEAT_SECONDS,
  HUB_FEATURES,
  type HubMessage,
  V1_COMMANDS,
} from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import type { Db } from '../db/database.ts'
import { recordAgentHello } from '../domain/agents.ts'
import { runChange } from '../domain/change.ts'
import { AgentRefused, alreadyConnected, helloFirst, helloTimeout, serverStopping } from '../errors.ts'
import type { ReleaseCatalogue } from '../releases/releaseCatalogue.ts'
import type { SecretBox } from '../secretBox.ts'
import {
  getAgent,
  type LatestVersions,
  markAllDisconnected,
  markDisconnected,
  markUninstalled,
  recordApplied,
  recordRepair,
  toAgent,
  writeLastSeen,
} from '../store/agents.ts'
import { writeAudit } from '../store/auditLog.ts'
import { loadDesiredStateInput } from '../store/desiredStateInput.ts'
import { recordDeviceStats } from '../store/deviceStats.ts'
import { getEpoch, startNewEpoch } from '../store/epoch.ts'
import { insertMetrics } from '../store/metrics.ts'
import { nowIso } from '../store/rows.ts'
import { getTunnelServerOfAgent } from '../store/tunnelServers.ts'
import { parseAgentFrame } from './agentFrames.ts'
import { AgentUpdates } from './agentUpdates.ts'
import { Commands } from './commands.ts'
import { computeDesiredState } from './computeDesiredState.ts'
import { type AgentAuthGuard, authenticateHello, handleRegister } from './handshake.ts'
import type { LiveEvents } from './liveEvents.ts'
import { type Connection, Presence } from './presence.ts'
import { StatePusher } from './statePusher.ts'

export interface HubOptions {
  db: Db
  log: FastifyBaseLogger
  events: LiveEvents
  serverVersion: string
  /** A connection silent this long is closed (default 90 s). */
  deadAfterMs: number
  /** How often last-seen times are written (default 15 s). */
  flushEveryMs?: number
  /** Throttles failed registrations and hellos per address. */
  guard?: AgentAuthGuard
  /** Opens devices' preshared keys for the tunnel servers' states; without it they go out without. */
  secrets?: SecretBox
  /** The releases agents update to; also what marks an agent outdated in live events. */
  releases?: ReleaseCatalogue
}

// Pushes read from the database in parallel by this many; the PostgreSQL pool holds 10.
const SYNC_CONCURRENCY = 4

// An agent has this long after connecting to say who it is.
const HELLO_TIMEOUT_MS = 10_000

export class AgentHub {
  readonly #presence = new Presence()
  readonly #commands: Commands
  /** Self-updates: one agent's, "update all outdated", and the outcomes agents report. */
  readonly updates: AgentUpdates
  #timers: NodeJS.Timeout[] = []
  #stopping = false

  constructor(private readonly o: HubOptions) {
    this.#commands = new Commands({
      db: o.db,
      log: o.log,
      events: o.events,
      send: (c, msg) => this.#send(c.socket, msg),
    })
    this.updates = new AgentUpdates({
      db: o.db,
      log: o.log,
      releases: o.releases,
      publish: (e) => o.events.publish(e),
      isConnected: (id) => this.isConnected(id),
      run: (...args) => this.runCommand(...args),
      publishAgent: (id) => this.#publishAgent(id),
    })
  }

  /** Marks what a previous process left behind: no agent is connected to a server that just started. */
  async start(): Promise<void> {
    await markAllDisconnected(this.o.db)
    await this.#commands.failAbandoned()
    const deadCheck = setInterval(() => this.#closeDead(), Math.max(200, Math.min(10_000, this.o.deadAfterMs / 3)))
    const flush = setInterval(() => void this.#flushLastSeen(), this.o.flushEveryMs ?? 15_000)
    deadCheck.unref()
    flush.unref()
    this.#timers = [deadCheck, flush]
  }

  async stop(): Promise<void> {
    this.#stopping = true
    this.updates.stop()
    for (const t of this.#timers) clearInterval(t)
    await this.#commands.failPending(null, 'The server stopped before the agent answered')
    const ids = this.#presence.ids()
    for (const c of this.#presence.all()) c.socket.close(CloseCode.shuttingDown, 'server shutting down')
    for (const id of ids) this.#presence.drop(id)
    await this.#flushLastSeen()
    await markDisconnected(this.o.db, ids, nowIso())
  }

  isConnected(agentId: string): boolean {
    return this.#presence.get(agentId) !== undefined
  }

  get connectionCount(): number {
    return this.#presence.size
  }

  /** Takes a new WebSocket from /ws/agent. */
  accept(socket: WebSocket, remoteIp: string): void {
    let agentId: string | null = null
    let first = true
    let queue = Promise.resolve()
    const helloTimer = setTimeout(() => {
      if (first) this.#refuse(socket, helloTimeout())
    }, HELLO_TIMEOUT_MS)

    socket.on('message', (data, isBinary) => {
      queue = queue.then(async () => {
        // Frames an agent sent just before closing still count: an uninstall's report comes right
        // before its goodbye. A socket refused, replaced or deleted is caught below, by presence.
        if (first && socket.readyState !== socket.OPEN) return
        try {
          const msg = parseAgentFrame(data, isBinary)
          if (first) {
            first = false
            clearTimeout(helloTimer)
            if (msg.type === 'register') return await this.#register(socket, msg, remoteIp)
            if (msg.type === 'hello') {
              agentId = await this.#hello(socket, msg, remoteIp)
              return
            }
            throw helloFirst()
          }
          const c = agentId ? this.#presence.get(agentId) : undefined
          if (c?.socket !== socket) return // replaced, deleted, or a registration socket
          this.#presence.heard(c, nowIso())
          await this.#onMessage(c, msg, remoteIp)
        } catch (err) {
          if (err instanceof AgentRefused) return this.#refuse(socket, err)
          this.o.log.error({ err, agentId }, 'agent message failed')
          // A hello that failed halfway must not leave an agent "connected" with nobody behind it.
          if (agentId === null) socket.close(CloseCode.internal, 'internal error')
        }
      })
    })

    socket.on('close', () => {
      clearTimeout(helloTimer)
      queue = queue
        .then(() => this.#onClose(agentId, socket))
        .catch((err) => this.o.log.error({ err }, 'agent close failed'))
    })
    socket.on('error', (err) => this.o.log.warn({ err, agentId }, 'agent socket error'))
  }

  /**
   * Pushes the current desired state to each of these agents that is connected here. Call after
   * the transaction that bumped their revisions has committed.
   */
  async sync(agentIds: Iterable<string>): Promise<void> {
    const pushers = [...new Set(agentIds)].flatMap((id) => this.#presence.get(id)?.pusher ?? [])
    // A few at a time, not all at once: each push reads the database, and thousands started
    // together would all finish late instead of the first ones arriving early.
    let next = 0
    const worker = async () => {
      while (next < pushers.length) await pushers[next++]!.push()
    }
    await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, pushers.length) }, worker))
  }

  /** Closes a deleted agent's socket; its credential no longer works. */
  disconnect(agentId: string, code: number, errorCode: string, message: string): void {
    const c = this.#presence.drop(agentId)
    if (!c) return
    this.#send(c.socket, { type: 'error', code: errorCode, message })
    c.socket.close(code, errorCode)
    this.o.events.publish({ type: 'agent_deleted', agentId })
  }

  /**
   * Sends a one-shot command. The returned promise settles when the agent answers, the timeout
   * passes, or at once when the agent is not connected; every outcome is in the command log.
   */
  runCommand(
    agentId: string,
    command: CommandName,
    params: Record<string, unknown>,
    timeoutMs: number,
    requestedBy: string | null,
  ): Promise<{ id: string; done: Promise<CommandLogEntry> }> {
    return this.#commands.run(this.#presence.get(agentId), agentId, command, params, timeoutMs, requestedBy)
  }

  /** The newest agent version per architecture, for an agent's latestVersion and outdated. */
  async latestVersions(): Promise<LatestVersions | undefined> {
    try {
      return (await this.o.releases?.current())?.agents
    } catch (err) {
      this.o.log.error({ err }, 'reading the releases failed')
      return undefined
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  #send(socket: WebSocket, msg: HubMessage): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg))
  }

  #refuse(socket: WebSocket, err: AgentRefused): void {
    this.#send(socket, { type: 'error', code: err.code, message: err.message })
    socket.close(err.closeCode, err.code.slice(0, 100))
  }

  async #register(
    socket: WebSocket,
    msg: Extract<AgentMessage, { type: 'register' }>,
    remoteIp: string,
  ): Promise<void> {
    const r = await handleRegister({ db: this.o.db, hub: this, guard: this.o.guard }, msg, remoteIp)
    this.#send(socket, { type: 'registered', agentId: r.agentId, credential: r.credential, kind: r.kind })
    socket.close(1000, 'registered')
    this.o.log.info({ agentId: r.agentId, name: r.name, kind: r.kind }, 'agent registered')
    await this.#publishAgent(r.agentId)
  }

  async #hello(socket: WebSocket, msg: Extract<AgentMessage, { type: 'hello' }>, remoteIp: string): Promise<string> {
    if (this.#stopping) throw serverStopping()
    const agent = await authenticateHello({ db: this.o.db, hub: this, guard: this.o.guard }, msg, remoteIp)
    const v2 = msg.protocolVersion >= 2
    let epoch = await getEpoch(this.o.db)
    let appliedRevision = msg.appliedRevision
    const appliedEpoch = msg.appliedEpoch ?? ''
    if (v2 && appliedEpoch === epoch && appliedRevision > agent.desiredRevision) {
      // The agent applied a revision this database never reached: it was restored from a backup.
      // A new epoch lets every agent take the database's revisions again.
      this.o.log.warn(
        { agentId: agent.id, appliedRevision, desiredRevision: agent.desiredRevision },
        'an agent applied a newer revision than the database holds (restored from a backup?); starting a new epoch',
      )
      epoch = await startNewEpoch(this.o.db, epoch)
    }
    // Only revisions of the current epoch count as applied; a version 1 agent names no epoch.
    if ((v2 && appliedEpoch !== epoch) || appliedRevision > agent.desiredRevision) appliedRevision = 0

    const c: Connection = {
      agentId: agent.id,
      socket,
      protocolVersion: msg.protocolVersion,
      commands: new Set(msg.commands ?? V1_COMMANDS),
      lastMessageAt: Date.now(),
      pusher: new StatePusher(
        () => this.#loadState(agent.id),
        (state) => this.#send(socket, { type: 'desired_state', state }),
        (err) => this.o.log.error({ err, agentId: agent.id }, 'state push failed'),
      ),
    }
    const previous = this.#presence.add(c)
    if (previous) {
      // The newer connection wins: the older one is a half-dead socket or a second copy of the agent.
      this.#send(previous.socket, {
        type: 'error',
        code: 'hello.replaced',
        message: 'A newer connection of this agent took over.',
      })
      previous.socket.close(CloseCode.replaced, 'replaced')
    }
    try {
      this.#send(socket, {
        type: 'welcome',
        agentId: agent.id,
        serverVersion: this.o.serverVersion,
        heartbeatSeconds: HEARTBEAT_SECONDS,
        features: [...HUB_FEATURES],
      })
      const actor = { type: 'agent' as const, id: agent.id, email: null, ip: remoteIp, userAgent: null }
      const { value, affected } = await runChange({ db: this.o.db, hub: this }, actor, (tx) =>
        recordAgentHello(tx, {
          agentId: agent.id,
          facts: msg.facts,
          remoteIp,
          appliedRevision,
          appliedEpoch: v2 ? appliedEpoch : '',
          commands: [...c.commands],
        }),
      )
      if (value.keyConflict) this.o.log.warn({ agentId: agent.id }, value.keyConflict)
      // What it says about its last update must not cost it its connection.
      await this.updates
        .reported(agent.id, msg.update, msg.facts.version, actor)
        .catch((err) => this.o.log.error({ err, agentId: agent.id }, 'recording an update report failed'))
      this.o.log.info({ agentId: agent.id, appliedRevision }, 'agent connected')
      await this.#publishAgent(agent.id)
      const behind = appliedRevision !== agent.desiredRevision || (v2 && appliedEpoch !== epoch)
      if (behind && !affected.includes(agent.id)) await c.pusher.push()
    } catch (err) {
      this.#presence.remove(agent.id, socket)
      await markDisconnected(this.o.db, [agent.id], nowIso()).catch(() => {})
      throw err
    }
    return agent.id
  }

  async #loadState(agentId: string): Promise<DesiredState | null> {
    const secrets = this.o.secrets
    const input = await loadDesiredStateInput(this.o.db, agentId, secrets ? (v) => secrets.open(v) : null)
    return input ? computeDesiredState(input) : null
  }

  async #onMessage(c: Connection, msg: AgentMessage, remoteIp: string): Promise<void> {
    switch (msg.type) {
      case 'heartbeat':
        this.#send(c.socket, { type: 'heartbeat_ack' })
        return
      case 'applied': {
        const r = await recordApplied(this.o.db, c.agentId, {
          revision: msg.revision,
          epoch: msg.epoch,
          ok: msg.ok,
          error: msg.error ?? null,
        })
        if (!r) return
        if (!msg.ok)
          this.o.log.warn({ agentId: c.agentId, revision: msg.revision, error: msg.error }, 'agent failed to apply')
        await this.#publishAgent(c.agentId)
        // An ack of another epoch's state, or one behind the desired revision: whatever the agent
        // missed or applied out of order, it gets the current state again.
        const otherEpoch = msg.epoch !== undefined && msg.epoch !== r.epoch
        if (otherEpoch || (msg.ok && msg.revision < r.desiredRevision)) await c.pusher.push({ again: true })
        return
      }
      case 'command_result': {
        const entry = await this.#commands.result(c.agentId, msg)
        if (entry?.command === 'uninstall' && entry.status === 'success') {
          // The agent exits next; its row says it was uninstalled rather than merely disconnected.
          await markUninstalled(this.o.db, c.agentId, nowIso())
          this.o.log.info({ agentId: c.agentId }, 'agent uninstalled itself')
          await this.#publishAgent(c.agentId)
        }
        return
      }
      case 'metrics': {
        const at = new Date()
        const sample = { ...msg.sample }
        // Devices' peers go to their own table; the sample keeps the sites' (a tunnel server
        // with 10,000 devices would otherwise store them all in every sample).
        if (sample.peers && sample.peers.length > 0) {
          const server = await getTunnelServerOfAgent(this.o.db, c.agentId)
          if (server) sample.peers = await recordDeviceStats(this.o.db, server.id, sample.peers, at)
        }
        await insertMetrics(this.o.db, c.agentId, at.toISOString(), sample)
        return
      }
      case 'drift_repaired':
        await this.#driftRepaired(c, msg, remoteIp)
        return
      case 'register':
      case 'hello':
        throw alreadyConnected(msg.type)
    }
  }

  /** Keeps the agent's report as its last repair, in the audit log too, and tells the dashboard. */
  async #driftRepaired(
    c: Connection,
    msg: Extract<AgentMessage, { type: 'drift_repaired' }>,
    remoteIp: string,
  ): Promise<void> {
    // The agent's clock says when; one that is off (unreadable, or ahead of ours) gives way to ours.
    const reported = Date.parse(msg.at)
    const at = Number.isNaN(reported) || reported > Date.now() ? nowIso() : new Date(reported).toISOString()
    const report = { ok: msg.ok, items: msg.items, ...(msg.error !== undefined && { error: msg.error }) }
    if (!(await recordRepair(this.o.db, c.agentId, at, report))) return
    const actor = { type: 'agent' as const, id: c.agentId, email: null, ip: remoteIp, userAgent: null }
    await writeAudit(this.o.db, actor, 'agent.drift_repaired', { type: 'agent', id: c.agentId }, { at, ...report })
    const what = msg.items.map((i) => `${i.what}: ${i.detail}`)
    if (msg.ok) this.o.log.info({ agentId: c.agentId, repaired: what }, 'agent repaired drift on its host')
    else
      this.o.log.warn({ agentId: c.agentId, found: what, error: msg.error }, 'agent failed to repair drift on its host')
    await this.#publishAgent(c.agentId)
  }

  async #onClose(agentId: string | null, socket: WebSocket): Promise<void> {
    if (!agentId) return
    if (!this.#presence.remove(agentId, socket)) return // replaced or deleted: not this socket's agent any more
    await this.#commands.failPending(agentId, 'The agent disconnected before answering')
    await markDisconnected(this.o.db, [agentId], nowIso())
    this.o.log.info({ agentId }, 'agent disconnected')
    await this.#publishAgent(agentId)
  }

  #closeDead(): void {
    for (const c of this.#presence.silentSince(Date.now() - this.o.deadAfterMs)) {
      // Forgotten at once, so a peer that never answers the close is not reported again and again.
      this.#presence.remove(c.agentId, c.socket)
      this.o.log.warn({ agentId: c.agentId }, 'agent silent too long; closing its connection')
      c.socket.close(CloseCode.dead, 'silent too long')
      // A peer that cannot answer a close handshake is gone: do not wait for it.
      setTimeout(() => c.socket.terminate(), 1000).unref()
      void this.#afterDead(c.agentId)
    }
  }

  async #afterDead(agentId: string): Promise<void> {
    try {
      await this.#commands.failPending(agentId, 'The agent stopped answering')
      await markDisconnected(this.o.db, [agentId], nowIso())
      await this.#publishAgent(agentId)
    } catch (err) {
      this.o.log.error({ err, agentId }, 'marking a silent agent disconnected failed')
    }
  }

  async #flushLastSeen(): Promise<void> {
    try {
      await writeLastSeen(this.o.db, this.#presence.takeLastSeen())
    } catch (err) {
      this.o.log.error({ err }, 'writing last-seen times failed')
    }
  }

  async #publishAgent(agentId: string): Promise<void> {
    if (this.o.events.size === 0) return
    const a = await getAgent(this.o.db, agentId)
    if (a) this.o.events.publish({ type: 'agent', agent: toAgent(a, await this.latestVersions()) })
  }
}
