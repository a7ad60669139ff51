/**
 * The agent's side of the conversation once connected: applies desired states (persisted first,
 * then applied, then acknowledged) one at a time, and runs commands. It knows nothing about
 * sockets: it is given a `send` function, so tests drive it directly.
 *
 * Which states are applied: never a revision lower than the one last applied successfully in
 * the same epoch (a push that lost a race on the server, a stale saved state); a state of another
 * epoch whatever its revision (the server's database was replaced); the same revision again
 * (repairs the host). States that arrive while one is being applied wait in a single slot: the
 * newest replaces the one waiting, so a burst of pushes costs at most one more apply.
 */
import type { AgentMessage, CommandName, DesiredState, DriftReport, HubMessage } from '@wirewarp/protocol'
import { agentText, errorText } from './agentText.ts'
import { driftReport } from './driftReport.ts'
import type { Driver } from './drivers/driver.ts'
import type { Logger } from './logger.ts'
import type { StateStore } from './stateStore.ts'
import { TeardownFailed, UninstallIncomplete } from './uninstallAgent.ts'
import { VERSION } from './version.ts'

type Command = Extract<HubMessage, { type: 'command' }>
type CommandHandler = (cmd: Command) => Promise<unknown>

export interface LastApply {
  revision: number
  epoch: string
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
  /**
   * Removes the agent from the host (uninstallAgent); the `uninstall` command is announced only
   * when given. Throws TeardownFailed when nothing was removed.
   */
  uninstall?: () => Promise<unknown>
  /** Called after the reply to an `uninstall` that removed the agent was handed to `send`. */
  onUninstalled?: () => void
  /**
   * Downloads, verifies and swaps in a release (selfUpdate.ts); the `update` command is announced
   * only when given.
   */
  update?: (params: Record<string, unknown>) => Promise<unknown>
  /** Called after the reply to an `update` that swapped the executable was handed to `send`. */
  onUpdated?: () => void
  /** Called after a state from the server was applied successfully and acknowledged. */
  onAppliedOk?: () => void
  /**
   * Whether the hub connected now listed this feature in its welcome (HUB_FEATURES); a drift
   * repair is reported only to a hub that takes `drift_repaired`. Absent: none does.
   */
  hubHas?: (feature: string) => boolean
  now?: () => Date
  /** A monotonic clock in ms for durations. */
  clock?: () => number
}

type Source = 'saved' | 'server'
interface Offer {
  state: DesiredState
  source: Source
}

const describeEpoch = (epoch: string) => (epoch ? `epoch ${epoch}` : 'no epoch')

/** The answer to `check_drift`: the report, and whether the host was checked at all (and why not). */
export type DriftCheck = DriftReport & { checked: boolean; reason?: string }

export class AgentSession {
  /** The revision and epoch last applied successfully ({0, ''}: none). */
  private applied = { revision: 0, epoch: '' }
  private lastApply: LastApply | null = null
  /** The newest state received that is not being applied yet. */
  private waiting: Offer | null = null
  private running = false
  /** Set while uninstalling: states that arrive are not applied (they would set the host up again). */
  private holding = false
  /** The uninstall removed the agent: it must exit once the reply is sent. */
  private uninstalled = false
  /** An update is downloading or installed: a second one is refused. */
  private updating = false
  private worker: Promise<void> = Promise.resolve()
  /** Applies and drift checks take turns on this chain: a check never sees half an apply. */
  private turn: Promise<unknown> = Promise.resolve()
  private readonly startedAt: number
  private readonly now: () => Date
  private readonly clock: () => number

  /**
   * The commands this agent runs, and the one list of them: `hello` announces its keys, so the
   * hub sends only these. A command the protocol gains is announced once it has a handler here.
   */
  private readonly commandHandlers: Partial<Record<CommandName, CommandHandler>> = {
    ping: async () => ({ pong: true, at: this.now().toISOString() }),
    diagnostics: async () => ({
      // The driver's own keys stay at the top level (driver, lastState…); the agent's are beside them.
      ...(await this.opts.driver.diagnostics()),
      appliedRevision: this.applied.revision,
      appliedEpoch: this.applied.epoch,
      lastApply: this.lastApply,
      agent: {
        version: VERSION,
        mode: this.opts.mode,
        pid: process.pid,
        uptimeSeconds: Math.round((this.clock() - this.startedAt) / 1000),
        node: process.version,
      },
    }),
    restart: async () => ({ restarting: true }),
  }

  constructor(private readonly opts: AgentSessionOptions) {
    this.now = opts.now ?? (() => new Date())
    this.clock = opts.clock ?? (() => performance.now())
    this.startedAt = this.clock()
    if (opts.driver.checkDrift) this.commandHandlers.check_drift = () => this.checkDrift()
    const uninstall = opts.uninstall
    if (uninstall) this.commandHandlers.uninstall = () => this.uninstall(uninstall)
    const update = opts.update
    if (update) this.commandHandlers.update = (cmd) => this.update(update, cmd.params)
  }

  /** The revision last applied successfully (0: none), as `hello` reports it. */
  get appliedRevision(): number {
    return this.applied.revision
  }

  /** The epoch of that revision ('': none, or a server without epochs), as `hello` reports it. */
  get appliedEpoch(): string {
    return this.applied.epoch
  }

  /** The names of the commands this agent runs, as `hello` announces them. */
  get commands(): string[] {
    return Object.keys(this.commandHandlers)
  }

  /** Reads the applied revision and epoch saved by an earlier run. A damaged file counts as none. */
  async loadApplied(): Promise<void> {
    try {
      const record = await this.opts.store.loadApplied()
      this.applied = { revision: record?.revision ?? 0, epoch: record?.epoch ?? '' }
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
    await this.offer({ state, source: 'saved' })
  }

  /** Handles a `desired_state` from the server; resolves once no state is waiting or applying. */
  receiveState(state: DesiredState): Promise<void> {
    return this.offer({ state, source: 'server' })
  }

  /** Resolves once every state received so far has been applied (or skipped) and acknowledged, and no drift check runs. */
  async idle(): Promise<void> {
    await this.worker
    await this.turn.catch(() => {})
  }

  /**
   * Has the driver compare the host with the state last applied and repair what differs (every
   * 60 s, and the `check_drift` command). Waits for an apply in progress; checks nothing before
   * the first successful apply of this process, after a failed one (the host is half way to a
   * state; the next apply settles it), or while uninstalling. A repair, or a failed one, is
   * logged and reported to the hub.
   */
  checkDrift(): Promise<DriftCheck> {
    return this.inTurn(async () => {
      const at = this.now().toISOString()
      const check = this.opts.driver.checkDrift?.bind(this.opts.driver)
      const skip = this.holding
        ? 'the agent is uninstalling'
        : !check
          ? `the ${this.opts.driver.name} driver has nothing to check`
          : !this.lastApply
            ? 'no state was applied since the agent started'
            : !this.lastApply.ok
              ? `the last apply (revision ${this.lastApply.revision}) failed`
              : null
      if (skip !== null || !check) return { at, ok: true, items: [], checked: false, reason: skip ?? undefined }
      const report = driftReport(at, await check().catch((err: unknown) => ({ items: [], error: errorText(err) })))
      const what = report.items.map((i) => `${i.what}: ${i.detail}`).join('; ')
      if (!report.ok) this.opts.log.error(`drift repair failed: ${report.error}${what ? ` (found ${what})` : ''}`)
      else if (report.items.length > 0) this.opts.log.warn(`repaired drift: ${what}`)
      else this.opts.log.debug('drift check: the host matches the applied state')
      if (report.items.length > 0 || !report.ok) {
        if (this.opts.hubHas?.('drift_repaired')) this.opts.send({ type: 'drift_repaired', ...report })
        else this.opts.log.debug('drift report not sent: the agent is offline or the server takes none')
      }
      return { ...report, checked: true }
    })
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn)
    this.turn = run.catch(() => {})
    return run
  }

  async runCommand(cmd: Command): Promise<void> {
    const started = this.clock()
    let timer: NodeJS.Timeout | undefined
    // Made only for the commands it races: a timeout nobody awaits would reject unhandled.
    const timeout = () =>
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${cmd.timeoutMs} ms`)), cmd.timeoutMs)
      })
    try {
      // An uninstall is not cut short: half of one reported as a timeout would leave the agent
      // running without its files.
      // Nor an update (its download has its own time limit): one that swapped the executable
      // must end in a restart, whatever the hub's timeout.
      const result = await (cmd.command === 'uninstall' || cmd.command === 'update'
        ? this.execute(cmd)
        : Promise.race([this.execute(cmd), timeout()]))
      this.opts.send({ type: 'command_result', id: cmd.id, ok: true, result })
      this.opts.log.info(`command ${cmd.command} (${cmd.id}) done in ${Math.round(this.clock() - started)} ms`)
      if (cmd.command === 'restart') this.opts.onRestart()
      if (cmd.command === 'update') this.opts.onUpdated?.()
    } catch (err) {
      const result = err instanceof UninstallIncomplete ? { result: err.report } : {}
      this.opts.send({ type: 'command_result', id: cmd.id, ok: false, error: errorText(err), ...result })
      this.opts.log.warn(`command ${cmd.command} (${cmd.id}) failed: ${errorText(err)}`)
    } finally {
      clearTimeout(timer)
    }
    if (this.uninstalled && cmd.command === 'uninstall') this.opts.onUninstalled?.()
  }

  private async uninstall(remove: () => Promise<unknown>): Promise<unknown> {
    this.holding = true
    // An apply in progress finishes first, so the teardown sees everything it set up.
    await this.idle()
    try {
      const report = await remove()
      this.uninstalled = true
      return report
    } catch (err) {
      if (err instanceof TeardownFailed) {
        // Nothing was removed: put back whatever the teardown took down before it failed.
        this.holding = false
        await this.applySavedState()
      } else this.uninstalled = true
      throw err
    }
  }

  private async update(
    install: (params: Record<string, unknown>) => Promise<unknown>,
    params: Record<string, unknown>,
  ) {
    if (this.updating) throw new Error('an update is in progress already')
    this.updating = true
    try {
      return await install(params)
    } catch (err) {
      this.updating = false
      throw err
    }
  }

  private async execute(cmd: Command): Promise<unknown> {
    const handler = this.commandHandlers[cmd.command]
    if (!handler) throw new Error(`this agent does not run the command ${cmd.command}`)
    return handler(cmd)
  }

  private offer(next: Offer): Promise<void> {
    if (this.holding) {
      this.opts.log.info(`ignored revision ${next.state.revision}: the agent is uninstalling`)
      return this.worker
    }
    const waiting = this.waiting
    if (waiting && waiting.state.epoch === next.state.epoch && next.state.revision < waiting.state.revision)
      this.opts.log.info(
        `ignored revision ${next.state.revision} of ${describeEpoch(next.state.epoch)}: revision ${waiting.state.revision} of that epoch is waiting to be applied`,
      )
    else {
      if (waiting)
        this.opts.log.debug(
          `skipped revision ${waiting.state.revision} of ${describeEpoch(waiting.state.epoch)}: revision ${next.state.revision} arrived before it was applied`,
        )
      this.waiting = next
    }
    if (!this.running) {
      this.running = true
      this.worker = this.work()
    }
    return this.worker
  }

  private async work(): Promise<void> {
    try {
      for (let next = this.take(); next; next = this.take())
        // A failed apply must not stop the ones after it.
        await this.inTurn(() => this.apply(next.state, next.source)).catch((err) =>
          this.opts.log.error(`unexpected: ${errorText(err)}`),
        )
    } finally {
      this.running = false
    }
  }

  private take(): Offer | null {
    const next = this.waiting
    this.waiting = null
    return next
  }

  private async apply(state: DesiredState, source: Source): Promise<void> {
    if (state.epoch === this.applied.epoch && state.revision < this.applied.revision) {
      // Not saved (the next start must not apply it from disk) and not acknowledged: the hub
      // sends its latest state again when our ack is behind.
      this.opts.log.info(
        `ignored revision ${state.revision} of ${describeEpoch(state.epoch)}: revision ${this.applied.revision} of that epoch is applied already`,
      )
      return
    }
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
          // The same revision again is applied too: applying is idempotent, and it repairs
          // whatever changed on the host since.
          await this.opts.driver.apply(state)
        } catch (err) {
          error = errorText(err)
        }
      }
    }
    const durationMs = Math.max(0, Math.round(this.clock() - started))
    const at = this.now().toISOString()
    this.lastApply = { revision: state.revision, epoch: state.epoch, ok: error === null, error, at, durationMs }
    const from = source === 'saved' ? ' (saved state, before connecting)' : ''
    if (error === null) {
      this.applied = { revision: state.revision, epoch: state.epoch }
      await this.opts.store
        .saveApplied({ revision: state.revision, epoch: state.epoch, at })
        .catch((err) => this.opts.log.warn(`could not save the applied revision: ${errorText(err)}`))
      this.opts.log.info(`applied revision ${state.revision}${from} in ${durationMs} ms`)
    } else {
      this.opts.log.error(`apply of revision ${state.revision}${from} failed: ${error}`)
    }
    if (source === 'server')
      this.opts.send({
        type: 'applied',
        revision: state.revision,
        epoch: state.epoch,
        ok: error === null,
        // The texts above hold paths and modes besides cleaned messages: clean the whole once more.
        ...(error !== null && { error: agentText(error) }),
        durationMs,
      })
    if (source === 'server' && error === null) this.opts.onAppliedOk?.()
    // After the ack, still in this turn of the queue: nothing checks drift against a stale baseline.
    if (error === null)
      await this.opts.driver
        .settle?.()
        .catch((err) => this.opts.log.warn(`could not record the state for the drift check: ${errorText(err)}`))
  }
}
