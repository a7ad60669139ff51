/**
 * The WebSocket hub at /ws/agent: one connection per agent. It registers new agents, admits
 * known ones by credential, pushes each agent's desired state when it changes or when the agent
 * is behind, runs one-shot commands, stores metrics, and tracks connected/disconnected with
 * last-seen times written in batches (not one database write per heartbeat).
 */
import {
  type AgentFacts,
  AgentMessage,
  CloseCode,
  type CommandLogEntry,
  type CommandName,
  HEARTBEAT_SECONDS,
  type HubMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import { hashesEqual, sha256 } from '../auth/secretTokens.ts'
import type { Db } from '../db/database.ts'
import { bumpRevisions, getAgent, toAgent } from '../store/agents.ts'
import { failAbandonedCommands, finishCommand, getCommand, insertCommand } from '../store/commandLog.ts'
import { loadDesiredStateInput } from '../store/desiredStateInput.ts'
import { insertMetrics } from '../store/metrics.ts'
import { nowIso } from '../store/rows.ts'
import { computeDesiredState } from './computeDesiredState.ts'
import type { LiveEvents } from './liveEvents.ts'
import { RegistrationRefused, registerAgent } from './registerAgent.ts'

export interface HubOptions {
  db: Db
  log: FastifyBaseLogger
  events: LiveEvents
  serverVersion: string
  /** A connection silent this long is closed (default 90 s). */
  deadAfterMs: number
  /** How often last-seen times are written (default 15 s). */
  flushEveryMs?: number
}

interface Connection {
  agentId: string
  socket: WebSocket
  lastMessageAt: number
}

interface PendingCommand {
  agentId: string
  timer: NodeJS.Timeout
  done: (entry: CommandLogEntry) => void
}

// An agent has this long after connecting to say who it is.
const HELLO_TIMEOUT_MS = 10_000

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export class AgentHub {
  readonly #connections = new Map<string, Connection>()
  readonly #pending = new Map<string, PendingCommand>()
  readonly #lastSeen = new Map<string, string>()
  #timers: NodeJS.Timeout[] = []
  #stopping = false

  constructor(private readonly o: HubOptions) {}

  /** Marks what a previous process left behind: no agent is connected to a server that just started. */
  async start(): Promise<void> {
    await this.o.db.updateTable('agents').set({ status: 'disconnected' }).where('status', '=', 'connected').execute()
    await failAbandonedCommands(this.o.db)
    const deadCheck = setInterval(() => this.#closeDead(), Math.max(200, Math.min(10_000, this.o.deadAfterMs / 3)))
    const flush = setInterval(() => void this.#flushLastSeen(), this.o.flushEveryMs ?? 15_000)
    deadCheck.unref()
    flush.unref()
    this.#timers = [deadCheck, flush]
  }

  async stop(): Promise<void> {
    this.#stopping = true
    for (const t of this.#timers) clearInterval(t)
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer)
      await this.#finish(id, { status: 'failed', error: 'The server stopped before the agent answered' })
    }
    const ids = [...this.#connections.keys()]
    for (const c of this.#connections.values()) c.socket.close(CloseCode.shuttingDown, 'server shutting down')
    this.#connections.clear()
    for (const id of ids) this.#lastSeen.set(id, nowIso())
    await this.#flushLastSeen()
    if (ids.length)
      await this.o.db.updateTable('agents').set({ status: 'disconnected' }).where('id', 'in', ids).execute()
  }

  isConnected(agentId: string): boolean {
    return this.#connections.has(agentId)
  }

  get connectionCount(): number {
    return this.#connections.size
  }

  /** Takes a new WebSocket from /ws/agent. */
  accept(socket: WebSocket, remoteIp: string): void {
    let agentId: string | null = null
    let queue = Promise.resolve()
    const helloTimer = setTimeout(() => {
      if (!agentId)
        this.#refuse(socket, new Refused('hello.timeout', 'No register or hello message within 10 seconds.'))
    }, HELLO_TIMEOUT_MS)

    socket.on('message', (data, isBinary) => {
      // One message at a time per agent, in the order sent: an `applied` must not overtake the `hello`.
      queue = queue.then(async () => {
        try {
          if (isBinary) throw new Refused('protocol.binary', 'Send JSON text frames only.')
          const parsed = AgentMessage.safeParse(JSON.parse(data.toString()))
          if (!parsed.success)
            throw new Refused(
              'protocol.invalid_message',
              `Invalid message: ${parsed.error.issues[0]?.message ?? 'unknown'}`,
            )
          const msg = parsed.data
          if (agentId === null) {
            clearTimeout(helloTimer)
            if (msg.type === 'register') return await this.#register(socket, msg, remoteIp)
            if (msg.type === 'hello') {
              agentId = await this.#hello(socket, msg, remoteIp)
              return
            }
            throw new Refused('protocol.hello_first', 'The first message must be register or hello.')
          }
          const c = this.#connections.get(agentId)
          if (c?.socket !== socket) return // replaced meanwhile
          c.lastMessageAt = Date.now()
          this.#lastSeen.set(agentId, nowIso())
          await this.#onMessage(c, msg)
        } catch (err) {
          if (err instanceof Refused) return this.#refuse(socket, err)
          if (err instanceof SyntaxError)
            return this.#refuse(socket, new Refused('protocol.invalid_json', 'Frames must be JSON.'))
          this.o.log.error({ err, agentId }, 'agent message failed')
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
   * Pushes the current desired state to each of these agents that is connected. Call after the
   * transaction that bumped their revisions has committed.
   */
  async sync(agentIds: Iterable<string>): Promise<void> {
    for (const id of new Set(agentIds)) {
      const c = this.#connections.get(id)
      if (c) await this.#pushState(c).catch((err) => this.o.log.error({ err, agentId: id }, 'state push failed'))
    }
  }

  /** Closes a deleted agent's socket; its credential no longer works. */
  disconnect(agentId: string, code: number, errorCode: string, message: string): void {
    const c = this.#connections.get(agentId)
    if (!c) return
    this.#connections.delete(agentId)
    this.#send(c.socket, { type: 'error', code: errorCode, message })
    c.socket.close(code, errorCode)
    this.o.events.publish({ type: 'agent_deleted', agentId })
  }

  /**
   * Sends a one-shot command. The returned promise settles when the agent answers, the timeout
   * passes, or at once when the agent is not connected; every outcome is in the command log.
   */
  async runCommand(
    agentId: string,
    command: CommandName,
    params: Record<string, unknown>,
    timeoutMs: number,
    requestedBy: string | null,
  ): Promise<{ id: string; done: Promise<CommandLogEntry> }> {
    const id = await insertCommand(this.o.db, { agentId, command, params, requestedBy })
    const c = this.#connections.get(agentId)
    const first = await getCommand(this.o.db, id)
    if (first) this.o.events.publish({ type: 'command', command: first })
    if (!c) return { id, done: this.#finish(id, { status: 'failed', error: 'The agent is not connected.' }) }
    const done = new Promise<CommandLogEntry>((resolve) => {
      const timer = setTimeout(() => {
        void this.#finish(id, { status: 'timeout', error: `No answer within ${Math.round(timeoutMs / 1000)} s` })
      }, timeoutMs)
      this.#pending.set(id, { agentId, timer, done: resolve })
    })
    this.#send(c.socket, { type: 'command', id, command, params, timeoutMs })
    return { id, done }
  }

  // ---- internals ------------------------------------------------------------------------------

  #send(socket: WebSocket, msg: HubMessage): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg))
  }

  #refuse(socket: WebSocket, err: Refused): void {
    this.#send(socket, { type: 'error', code: err.code, message: err.message })
    socket.close(CloseCode.refused, err.code.slice(0, 100))
  }

  #checkVersion(v: number): void {
    if (!(SUPPORTED_PROTOCOL_VERSIONS as readonly number[]).includes(v))
      throw new Refused(
        'protocol.unsupported',
        `This server speaks agent protocol version ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; the agent speaks ${v}. Install the agent from this server again to match.`,
      )
  }

  async #register(
    socket: WebSocket,
    msg: Extract<AgentMessage, { type: 'register' }>,
    remoteIp: string,
  ): Promise<void> {
    this.#checkVersion(msg.protocolVersion)
    try {
      const r = await registerAgent(this.o.db, { token: msg.token, kind: msg.kind, facts: msg.facts, remoteIp })
      this.#send(socket, { type: 'registered', agentId: r.agentId, credential: r.credential, kind: r.kind })
      socket.close(1000, 'registered')
      this.o.log.info({ agentId: r.agentId, name: r.name, kind: r.kind }, 'agent registered')
      await this.#publishAgent(r.agentId)
      await this.sync(r.touched)
    } catch (err) {
      if (err instanceof RegistrationRefused) throw new Refused(err.code, err.message)
      throw err
    }
  }

  async #hello(socket: WebSocket, msg: Extract<AgentMessage, { type: 'hello' }>, remoteIp: string): Promise<string> {
    this.#checkVersion(msg.protocolVersion)
    if (this.#stopping) throw new Refused('server.stopping', 'The server is shutting down; try again shortly.')
    const row = await this.o.db
      .selectFrom('agents')
      .select(['id', 'credentialHash', 'desiredRevision', 'kind'])
      .where('id', '=', msg.agentId)
      .executeTakeFirst()
    if (!row)
      throw new Refused(
        'hello.unknown_agent',
        'This agent was deleted or never registered. Register it again with a new token.',
      )
    if (!row.credentialHash || !hashesEqual(row.credentialHash, sha256(msg.credential)))
      throw new Refused(
        'hello.bad_credential',
        'The agent credential is not valid. Register the agent again with a new token.',
      )

    const previous = this.#connections.get(row.id)
    if (previous) {
      // The newer connection wins: the older one is a half-dead socket or a second copy of the agent.
      this.#connections.delete(row.id)
      this.#send(previous.socket, {
        type: 'error',
        code: 'hello.replaced',
        message: 'A newer connection of this agent took over.',
      })
      previous.socket.close(CloseCode.replaced, 'replaced')
    }
    const c: Connection = { agentId: row.id, socket, lastMessageAt: Date.now() }
    this.#connections.set(row.id, c)

    const touched = await this.#recordFacts(row.id, row.kind, msg.facts, remoteIp, msg.appliedRevision)
    this.#send(socket, {
      type: 'welcome',
      agentId: row.id,
      serverVersion: this.o.serverVersion,
      heartbeatSeconds: HEARTBEAT_SECONDS,
    })
    this.o.log.info({ agentId: row.id, appliedRevision: msg.appliedRevision }, 'agent connected')
    await this.#publishAgent(row.id)
    if (msg.appliedRevision !== Number(row.desiredRevision) || touched.includes(row.id)) await this.#pushState(c)
    await this.sync(touched.filter((id) => id !== row.id))
    return row.id
  }

  /** Stores what the agent says about itself; a changed WireGuard key changes its peers' states. */
  async #recordFacts(
    agentId: string,
    kind: 'server' | 'client',
    facts: AgentFacts,
    remoteIp: string,
    applied: number,
  ): Promise<string[]> {
    return this.o.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('agents')
        .set({
          status: 'connected',
          lastSeenAt: nowIso(),
          hostname: facts.hostname,
          version: facts.version,
          os: facts.os,
          arch: facts.arch,
          capabilities: JSON.stringify(facts.capabilities),
          publicIp: remoteIp,
          appliedRevision: applied,
        })
        .where('id', '=', agentId)
        .execute()
      if (!facts.publicKey) return []
      const touched: string[] = []
      if (kind === 'server') {
        const s = await trx
          .selectFrom('tunnelServers')
          .select(['id', 'wgPublicKey'])
          .where('agentId', '=', agentId)
          .executeTakeFirst()
        if (s && s.wgPublicKey !== facts.publicKey) {
          await trx.updateTable('tunnelServers').set({ wgPublicKey: facts.publicKey }).where('id', '=', s.id).execute()
          const clients = await trx
            .selectFrom('tunnelClients')
            .select('agentId')
            .where('tunnelServerId', '=', s.id)
            .execute()
          touched.push(agentId, ...clients.map((x) => x.agentId))
        }
      } else {
        const c = await trx
          .selectFrom('tunnelClients')
          .leftJoin('tunnelServers', 'tunnelServers.id', 'tunnelClients.tunnelServerId')
          .select(['tunnelClients.id', 'tunnelClients.wgPublicKey', 'tunnelServers.agentId as serverAgentId'])
          .where('tunnelClients.agentId', '=', agentId)
          .executeTakeFirst()
        if (c && c.wgPublicKey !== facts.publicKey) {
          await trx.updateTable('tunnelClients').set({ wgPublicKey: facts.publicKey }).where('id', '=', c.id).execute()
          touched.push(agentId)
          if (c.serverAgentId) touched.push(c.serverAgentId)
        }
      }
      await bumpRevisions(trx, touched)
      return touched
    })
  }

  async #onMessage(c: Connection, msg: AgentMessage): Promise<void> {
    switch (msg.type) {
      case 'heartbeat':
        this.#send(c.socket, { type: 'heartbeat_ack' })
        return
      case 'applied': {
        await this.o.db
          .updateTable('agents')
          .set({
            ...(msg.ok
              ? { appliedRevision: msg.revision, lastApplyError: null }
              : { lastApplyError: msg.error ?? 'failed' }),
            lastAppliedAt: nowIso(),
          })
          .where('id', '=', c.agentId)
          .execute()
        if (!msg.ok)
          this.o.log.warn({ agentId: c.agentId, revision: msg.revision, error: msg.error }, 'agent failed to apply')
        await this.#publishAgent(c.agentId)
        return
      }
      case 'command_result': {
        const p = this.#pending.get(msg.id)
        if (!p || p.agentId !== c.agentId) return
        await this.#finish(
          msg.id,
          msg.ok
            ? { status: 'success', result: msg.result ?? null }
            : { status: 'failed', result: msg.result, error: msg.error ?? 'failed' },
        )
        return
      }
      case 'metrics':
        await insertMetrics(this.o.db, c.agentId, nowIso(), msg.sample)
        return
      case 'register':
      case 'hello':
        throw new Refused('protocol.already_connected', `${msg.type} is only valid as the first message.`)
    }
  }

  async #finish(id: string, outcome: Parameters<typeof finishCommand>[2]): Promise<CommandLogEntry> {
    const p = this.#pending.get(id)
    if (p) {
      clearTimeout(p.timer)
      this.#pending.delete(id)
    }
    await finishCommand(this.o.db, id, outcome)
    const entry = (await getCommand(this.o.db, id))!
    this.o.events.publish({ type: 'command', command: entry })
    p?.done(entry)
    return entry
  }

  async #pushState(c: Connection): Promise<void> {
    const input = await loadDesiredStateInput(this.o.db, c.agentId)
    if (!input) return
    this.#send(c.socket, { type: 'desired_state', state: computeDesiredState(input) })
  }

  async #onClose(agentId: string | null, socket: WebSocket): Promise<void> {
    if (!agentId) return
    const c = this.#connections.get(agentId)
    if (c?.socket !== socket) return // replaced or deleted: not this socket's agent any more
    this.#connections.delete(agentId)
    this.#lastSeen.delete(agentId)
    for (const [id, p] of this.#pending)
      if (p.agentId === agentId)
        await this.#finish(id, { status: 'failed', error: 'The agent disconnected before answering' })
    await this.o.db
      .updateTable('agents')
      .set({ status: 'disconnected', lastSeenAt: nowIso() })
      .where('id', '=', agentId)
      .execute()
    this.o.log.info({ agentId }, 'agent disconnected')
    await this.#publishAgent(agentId)
  }

  #closeDead(): void {
    const limit = Date.now() - this.o.deadAfterMs
    for (const c of this.#connections.values())
      if (c.lastMessageAt < limit) {
        this.o.log.warn({ agentId: c.agentId }, 'agent silent too long; closing its connection')
        c.socket.close(CloseCode.dead, 'silent too long')
        // A peer that cannot answer a close handshake is gone: do not wait for it.
        setTimeout(() => c.socket.terminate(), 1000).unref()
      }
  }

  async #flushLastSeen(): Promise<void> {
    if (this.#lastSeen.size === 0) return
    const batch = [...this.#lastSeen]
    this.#lastSeen.clear()
    try {
      await this.o.db.transaction().execute(async (trx) => {
        for (const [id, at] of batch)
          await trx.updateTable('agents').set({ lastSeenAt: at }).where('id', '=', id).execute()
      })
    } catch (err) {
      this.o.log.error({ err }, 'writing last-seen times failed')
    }
  }

  async #publishAgent(agentId: string): Promise<void> {
    if (this.o.events.size === 0) return
    const a = await getAgent(this.o.db, agentId)
    if (a) this.o.events.publish({ type: 'agent', agent: toAgent(a) })
  }
}
