/**
 * The agent's side of the conversation once connected: applies desired states (persisted first,
 * then applied, then acknowledged) one at a time, and runs commands. It knows nothing about
 * sockets: it is given a `send` function, so tests drive it directly.
 */
import type { AgentMessage, DesiredState, HubMessage } from '@wirewarp/protocol'
import type { Driver } from './drivers/driver.ts'
import type { Logger } from './logger.ts'
import type { StateStore } from './stateStore.ts'
import { VERSION } from './version.ts'

type Command = Extract<HubMessage, { type: 'command' }>

/** Error texts on the wire are bounded by the protocol. */
const MAX_ERROR = 8000

export interface LastApply {
  revision: number
  ok: boolean
  error: string | null
  at: string
  durationMs: number
}

export interface AgentSessionOptions {
  driver: Driver
  store: StateStore
  mode: 'server' | 'client'
  send: (message: AgentMessage) => void
  log: Logger
  /** Called after the reply to a `restart` command was handed to `send`. */
  onRestart: () => void
  now?: () => Date
  /** A monotonic clock in ms for durations. */
  clock?: () => number
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.slice(0, MAX_ERROR)
}

export class AgentSession {
  private applied = 0
  private lastApply: LastApply | null = null
  private queue: Promise<void> = Promise.resolve()
  private readonly startedAt: number
  private readonly now: () => Date
  private readonly clock: () => number

  constructor(private readonly opts: AgentSessionOptions) {
    this.now = opts.now ?? (() => new Date())
    this.clock = opts.clock ?? (() => performance.now())
    this.startedAt = this.clock()
  }

  /** The revision last applied successfully (0: none), as `hello` reports it. */
  get appliedRevision(): number {
    return this.applied
  }

  /** Reads the applied revision saved by an earlier run. A damaged file counts as none. */
  async loadApplied(): Promise<void> {
    try {
      this.applied = (await this.opts.store.loadApplied())?.revision ?? 0
    } catch (err) {
      this.opts.log.warn(`${errorText(err)}; reporting revision 0 so the server sends the state again`)
    }
  }

  /**
   * Applies the state saved on disk, before the agent reaches the server: a host that reboots
   * while the server is down comes back configured. Nothing is sent.
   */
  async applySavedState(): Promise<void> {
    let state: DesiredState | null
    try {
      state = await this.opts.store.loadState()
    } catch (err) {
      this.opts.log.error(`${errorText(err)}; not applying it, the server will send the state again`)
      return
    }
    if (!state) {
      this.opts.log.info('no saved state yet; waiting for the server')
      return
    }
    await this.enqueue(() => this.apply(state, 'saved'))
  }

  /** Handles a `desired_state` from the server; applies run one at a time, in order. */
  receiveState(state: DesiredState): Promise<void> {
    return this.enqueue(() => this.apply(state, 'server'))
  }

  /** Resolves once every state received so far has been applied and acknowledged. */
  idle(): Promise<void> {
    return this.queue
  }

  async runCommand(cmd: Command): Promise<void> {
    const started = this.clock()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${cmd.timeoutMs} ms`)), cmd.timeoutMs)
    })
    try {
      const result = await Promise.race([this.execute(cmd), timeout])
      this.opts.send({ type: 'command_result', id: cmd.id, ok: true, result })
      this.opts.log.info(`command ${cmd.command} (${cmd.id}) done in ${Math.round(this.clock() - started)} ms`)
      if (cmd.command === 'restart') this.opts.onRestart()
    } catch (err) {
      this.opts.send({ type: 'command_result', id: cmd.id, ok: false, error: errorText(err) })
      this.opts.log.warn(`command ${cmd.command} (${cmd.id}) failed: ${errorText(err)}`)
    } finally {
      clearTimeout(timer)
    }
  }

  private async execute(cmd: Command): Promise<unknown> {
    switch (cmd.command) {
      case 'ping':
        return { pong: true, at: this.now().toISOString() }
      case 'diagnostics':
        // The driver's own keys stay at the top level (driver, lastState…); the agent's are beside them.
        return {
          ...(await this.opts.driver.diagnostics()),
          appliedRevision: this.applied,
          lastApply: this.lastApply,
          agent: {
            version: VERSION,
            mode: this.opts.mode,
            pid: process.pid,
            uptimeSeconds: Math.round((this.clock() - this.startedAt) / 1000),
            node: process.version,
          },
        }
      case 'restart':
        return { restarting: true }
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    // A failed task must not stop the ones queued after it.
    this.queue = this.queue.then(task).catch((err) => this.opts.log.error(`unexpected: ${errorText(err)}`))
    return this.queue
  }

  private async apply(state: DesiredState, source: 'saved' | 'server'): Promise<void> {
    const started = this.clock()
    let error: string | null = null
    if (state.mode !== this.opts.mode) {
      error = `this agent runs in ${this.opts.mode} mode but the state is for a ${state.mode}; not applied`
    } else {
      if (source === 'server') {
        try {
          // Persist before touching the system: after a crash mid-apply, the next start applies
          // this state from disk and converges.
          await this.opts.store.saveState(state)
        } catch (err) {
          error = `could not save the state to ${this.opts.store.statePath}: ${errorText(err)}; not applied`
        }
      }
      if (error === null) {
        try {
          // Always apply, even a revision applied before: applying is idempotent, and it repairs
          // whatever changed on the host since.
          await this.opts.driver.apply(state)
        } catch (err) {
          error = errorText(err)
        }
      }
    }
    const durationMs = Math.max(0, Math.round(this.clock() - started))
    const at = this.now().toISOString()
    this.lastApply = { revision: state.revision, ok: error === null, error, at, durationMs }
    const from = source === 'saved' ? ' (saved state, before connecting)' : ''
    if (error === null) {
      this.applied = state.revision
      await this.opts.store
        .saveApplied({ revision: state.revision, at })
        .catch((err) => this.opts.log.warn(`could not save the applied revision: ${errorText(err)}`))
      this.opts.log.info(`applied revision ${state.revision}${from} in ${durationMs} ms`)
    } else {
      this.opts.log.error(`apply of revision ${state.revision}${from} failed: ${error}`)
    }
    if (source === 'server')
      this.opts.send({
        type: 'applied',
        revision: state.revision,
        ok: error === null,
        ...(error !== null && { error }),
        durationMs,
      })
  }
}
