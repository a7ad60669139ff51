/**
 * Agent self-update from the server's side (docs/design/self-update.md): which release file an
 * agent gets, the `update` command with its URL, size and SHA-256, the agent's row marked
 * "updating" by a conditional write (so two servers or two batches never send one update twice),
 * "update all outdated" one agent at a time, and the outcome an agent reports on its next hello.
 */
import type {
  AgentUpdateBatch,
  CommandLogEntry,
  CommandName,
  LiveEvent,
  UpdateCommandParams,
  UpdateReport,
} from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/database.ts'
import type { AgentRow } from '../db/schema.ts'
import {
  notFound,
  updateInProgress,
  updateNoRelease,
  updateNotConnected,
  updateUnsupported,
  updateUpToDate,
} from '../errors.ts'
import { compareVersions } from '../releases/compareVersions.ts'
import type { ReleaseCatalogue, ServedFile } from '../releases/releaseCatalogue.ts'
import {
  announcesCommand,
  claimUpdate,
  finishUpdate,
  getAgent,
  listUpdateCandidates,
  releaseTarget,
} from '../store/agents.ts'
import { type Actor, writeAudit } from '../store/auditLog.ts'
import { finishCommand, getCommand, insertCommand } from '../store/commandLog.ts'
import { nowIso } from '../store/rows.ts'

/** The default deadline the launcher gives a new version to connect and apply its state. */
const DEFAULT_DEADLINE_SECONDS = 120
/** The agent answers once it downloaded, verified and swapped the file: a slow link takes a while. */
const COMMAND_TIMEOUT_MS = 10 * 60_000
/** How often a batch looks at the agent it updates, in the database (its outcome may arrive at another server). */
const POLL_MS = 250

export interface UpdateDeps {
  db: Db
  log: FastifyBaseLogger
  releases: ReleaseCatalogue | undefined
  publish: (e: LiveEvent) => void
  isConnected: (agentId: string) => boolean
  run: (
    agentId: string,
    command: CommandName,
    params: Record<string, unknown>,
    timeoutMs: number,
    requestedBy: string | null,
  ) => Promise<{ id: string; done: Promise<CommandLogEntry> }>
  publishAgent: (agentId: string) => Promise<void>
}

export interface UpdateRequest {
  version?: string | undefined
  deadlineSeconds?: number | undefined
  /** Where agents download from: WIREWARP_PUBLIC_URL, else the origin the admin used. */
  baseUrl: string
  requestedBy: string | null
  actor: Actor
}

interface Plan {
  file: ServedFile
  from: string
}

function lower(version: string, than: string): boolean {
  try {
    return compareVersions(version, than) < 0
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export class AgentUpdates {
  #stopped = false

  constructor(private readonly o: UpdateDeps) {}

  stop(): void {
    this.#stopped = true
  }

  /** The release file this agent updates to, or the reason it cannot. */
  async plan(row: AgentRow, version?: string): Promise<Plan> {
    if (!announcesCommand(row, 'update')) throw updateUnsupported()
    const target = releaseTarget(row)
    if (target === null) throw updateNoRelease(`the architecture ${row.arch ?? 'unknown'}`)
    const catalogue = await this.o.releases?.current()
    const files = version ? catalogue?.releases.get(version)?.files : catalogue?.latest?.files
    const label = target === 'any' ? 'the .mjs bundle' : `linux-${target}`
    const file = [...(files?.values() ?? [])].find(
      (f) => f.arch === target && f.libc === (target === 'any' ? 'any' : 'glibc'),
    )
    if (!file) throw updateNoRelease(version ? `${label} at version ${version}` : label)
    const from = row.version ?? 'unknown'
    if (version ? version === from : !lower(from, file.version)) throw updateUpToDate(from)
    return { file, from }
  }

  /**
   * Sends the update command to one agent, after marking it updating. Resolves with the command
   * log entry (pending) once sent; `done` settles when the agent answered.
   */
  async start(
    agentId: string,
    req: UpdateRequest,
    extra: Record<string, unknown> = {},
  ): Promise<{ entry: CommandLogEntry | undefined; from: string; to: string; done: Promise<void> }> {
    const row = await getAgent(this.o.db, agentId)
    if (!row) throw notFound('Agent')
    const { file, from } = await this.plan(row, req.version)
    if (!this.o.isConnected(agentId)) throw updateNotConnected()
    const deadlineSeconds = req.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS
    const to = file.version
    const now = Date.now()
    // An update older than its command timeout and deadline together is over, whatever was recorded.
    const staleBefore = new Date(now - COMMAND_TIMEOUT_MS - (deadlineSeconds + 60) * 1000).toISOString()
    if (!(await claimUpdate(this.o.db, agentId, { from, to, at: nowIso(), staleBefore }))) throw updateInProgress()

    const params: UpdateCommandParams = {
      version: to,
      url: `${req.baseUrl}/releases/${encodeURIComponent(to)}/${encodeURIComponent(file.name)}`,
      sha256: file.sha256,
      size: file.size,
      ...(req.deadlineSeconds !== undefined ? { deadlineSeconds: req.deadlineSeconds } : {}),
    }
    let sent: Awaited<ReturnType<UpdateDeps['run']>>
    try {
      await this.o.publishAgent(agentId)
      sent = await this.o.run(agentId, 'update', params, COMMAND_TIMEOUT_MS, req.requestedBy)
    } catch (err) {
      // Not sent: the agent is free for the next try at once, not only once the claim went stale.
      const reason = `the update could not be sent (${(err as Error).message})`
      await finishUpdate(this.o.db, agentId, { state: 'failed', from, to, reason, at: nowIso() }, to).catch(() => {})
      throw err
    }
    const { id, done } = sent
    await writeAudit(
      this.o.db,
      req.actor,
      'agent.update',
      { type: 'agent', id: agentId },
      {
        commandId: id,
        from,
        to,
        ...extra,
      },
    )
    const finished = done.then(async (entry) => {
      if (entry.status === 'success') return
      // Refused (a download that does not match the manifest), timed out or disconnected before answering.
      const reason = entry.error ?? entry.status
      if (await finishUpdate(this.o.db, agentId, { state: 'failed', from, to, reason, at: nowIso() }, to))
        await this.o.publishAgent(agentId)
    })
    finished.catch((err) => this.o.log.error({ err, agentId }, 'recording an update outcome failed'))
    return { entry: await getCommand(this.o.db, id), from, to, done: finished.catch(() => {}) }
  }

  /**
   * "Update all outdated": every agent connected here, outdated, not held, that runs `update`,
   * one at a time with `staggerMs` between one's outcome and the next; it stops at the first that
   * rolls back or fails. Runs in the background; answers with the agents queued.
   */
  async startBatch(req: UpdateRequest & { staggerMs: number }): Promise<AgentUpdateBatch> {
    const queued: AgentUpdateBatch['queued'] = []
    for (const row of await listUpdateCandidates(this.o.db)) {
      if (!this.o.isConnected(row.id)) continue
      const plan = await this.plan(row).catch(() => undefined)
      if (plan) queued.push({ agentId: row.id, name: row.name, from: plan.from, to: plan.file.version })
    }
    if (queued.length > 0) void this.#runBatch(queued, req)
    return { queued }
  }

  async #runBatch(queued: AgentUpdateBatch['queued'], req: UpdateRequest & { staggerMs: number }): Promise<void> {
    const waitMs = COMMAND_TIMEOUT_MS + ((req.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) + 60) * 1000
    let first = true
    for (const q of queued) {
      if (this.#stopped) return
      if (!first && req.staggerMs > 0) await sleep(req.staggerMs)
      if (this.#stopped) return
      let started: Awaited<ReturnType<AgentUpdates['start']>>
      try {
        const row = await getAgent(this.o.db, q.agentId)
        // Held, updated or gone since it was queued.
        if (!row || row.holdVersion) continue
        started = await this.start(q.agentId, { ...req, version: undefined }, { batch: true })
      } catch (err) {
        // Another server or batch took it, it is up to date now, or it disconnected: the next one.
        this.o.log.info({ agentId: q.agentId, reason: (err as Error).message }, 'batch update skipped an agent')
        continue
      }
      first = false
      const outcome = await this.#outcome(q.agentId, started.to, waitMs)
      if (outcome !== 'confirmed') {
        this.o.log.warn(
          { agentId: q.agentId, outcome, rest: queued.length - queued.indexOf(q) - 1 },
          'an update did not succeed; the batch stops',
        )
        await writeAudit(
          this.o.db,
          req.actor,
          'agent.update.batch_stopped',
          { type: 'agent', id: q.agentId },
          {
            outcome,
            from: started.from,
            to: started.to,
          },
        ).catch((err) => this.o.log.error({ err }, 'audit failed'))
        return
      }
    }
  }

  /** Waits until the agent's update to `to` ended (in the database), or `ms` passed. */
  async #outcome(agentId: string, to: string, ms: number): Promise<string> {
    const until = Date.now() + ms
    while (Date.now() < until && !this.#stopped) {
      const row = await getAgent(this.o.db, agentId).catch(() => undefined)
      if (!row) return 'deleted'
      if (row.updateTo !== to) return 'superseded'
      if (row.updateState !== 'updating') return row.updateState ?? 'unknown'
      await sleep(POLL_MS)
    }
    return this.#stopped ? 'stopped' : 'timeout'
  }

  /**
   * What an agent said about its last update on hello: stored on its row, written to the command
   * log and the audit log (once: an agent repeats its report until a welcome followed it). An
   * agent that reports nothing but now runs the version it was updating to is taken as confirmed.
   */
  async reported(agentId: string, report: UpdateReport | undefined, version: string, actor: Actor): Promise<void> {
    const row = await getAgent(this.o.db, agentId)
    if (!row) return
    if (!report) {
      // Also after "failed": the agent may have restarted before its answer got through.
      const open = row.updateState === 'updating' || row.updateState === 'failed'
      if (open && row.updateTo === version && row.updateFrom !== version) {
        const o = { state: 'confirmed' as const, from: row.updateFrom ?? 'unknown', to: version, reason: null }
        await finishUpdate(this.o.db, agentId, { ...o, at: nowIso() })
        await writeAudit(this.o.db, actor, 'agent.update.confirmed', { type: 'agent', id: agentId }, o)
      }
      return
    }
    const same = row.updateState === report.state && row.updateFrom === report.from && row.updateTo === report.to
    if (same) return
    const at = Number.isNaN(Date.parse(report.at)) ? nowIso() : new Date(report.at).toISOString()
    const reason = report.state === 'rolled_back' ? (report.reason ?? 'the new version did not start') : report.reason
    await finishUpdate(this.o.db, agentId, { state: report.state, from: report.from, to: report.to, reason, at })
    const o = { from: report.from, to: report.to, reason }
    await writeAudit(this.o.db, actor, `agent.update.${report.state}`, { type: 'agent', id: agentId }, o)
    const id = await insertCommand(this.o.db, {
      agentId,
      command: 'update',
      params: { from: report.from, to: report.to, reported: true },
      requestedBy: null,
    })
    await finishCommand(
      this.o.db,
      id,
      report.state === 'confirmed'
        ? { status: 'success', result: report }
        : { status: 'failed', result: report, error: `rolled back to ${report.from}: ${reason}` },
    )
    const entry = await getCommand(this.o.db, id)
    if (entry) this.o.publish({ type: 'command', command: entry })
    if (report.state === 'rolled_back')
      this.o.log.warn({ agentId, from: report.from, to: report.to, reason }, 'an agent rolled back its update')
    else this.o.log.info({ agentId, from: report.from, to: report.to }, 'an agent updated itself')
  }
}
