/**
 * One-shot commands to agents (ping, diagnostics, restart…): each is written to the command log
 * first, sent only to an agent that said it runs it, matched to its result by id, and always
 * ends — success, failure or timeout — even when writing the outcome fails.
 */
import type { CommandLogEntry, CommandName, HubMessage } from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/database.ts'
import { UPDATE_UNSUPPORTED_MESSAGE } from '../errors.ts'
import { failAbandonedCommands, finishCommand, getCommand, insertCommand } from '../store/commandLog.ts'
import type { LiveEvents } from './liveEvents.ts'
import type { Connection } from './presence.ts'

interface Pending {
  agentId: string
  timer: NodeJS.Timeout
  done: (entry: CommandLogEntry) => void
  fallback: CommandLogEntry
}

type Outcome = Parameters<typeof finishCommand>[2]

/** Why an agent that did not announce a command cannot run it, when there is more to say than "update". */
const NOT_ANNOUNCED: Partial<Record<CommandName, string>> = {
  uninstall:
    'This agent version cannot uninstall itself; run the install script with --uninstall on the host, or update the agent first.',
  update: UPDATE_UNSUPPORTED_MESSAGE,
}

export class Commands {
  readonly #pending = new Map<string, Pending>()

  constructor(
    private readonly o: {
      db: Db
      log: FastifyBaseLogger
      events: LiveEvents
      send: (c: Connection, msg: HubMessage) => void
    },
  ) {}

  /** Commands a stopped server left pending: nobody will answer them now. */
  async failAbandoned(): Promise<void> {
    await failAbandonedCommands(this.o.db)
  }

  /**
   * Sends a command. The returned promise settles when the agent answers, the timeout passes,
   * or at once when the agent is not connected or does not run this command.
   */
  async run(
    c: Connection | undefined,
    agentId: string,
    command: CommandName,
    params: Record<string, unknown>,
    timeoutMs: number,
    requestedBy: string | null,
  ): Promise<{ id: string; done: Promise<CommandLogEntry> }> {
    const id = await insertCommand(this.o.db, { agentId, command, params, requestedBy })
    const first = await getCommand(this.o.db, id)
    if (first) this.o.events.publish({ type: 'command', command: first })
    if (!c) return { id, done: this.#finish(id, { status: 'failed', error: 'The agent is not connected.' }) }
    if (!c.commands.has(command))
      return {
        id,
        done: this.#finish(id, {
          status: 'failed',
          error: NOT_ANNOUNCED[command] ?? `This agent does not run the command "${command}"; update the agent first.`,
        }),
      }
    const fallback: CommandLogEntry = first ?? {
      id,
      agentId,
      command,
      params,
      status: 'pending',
      result: null,
      error: null,
      requestedBy: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    }
    const done = new Promise<CommandLogEntry>((resolve) => {
      const timer = setTimeout(() => {
        void this.#finish(id, { status: 'timeout', error: `No answer within ${Math.round(timeoutMs / 1000)} s` })
      }, timeoutMs)
      this.#pending.set(id, { agentId, timer, done: resolve, fallback })
    })
    this.o.send(c, { type: 'command', id, command, params, timeoutMs })
    return { id, done }
  }

  /**
   * An agent's answer; ignored unless it is for a pending command of that agent. Resolves with
   * the finished entry, or undefined when the answer was ignored.
   */
  async result(
    agentId: string,
    msg: { id: string; ok: boolean; result?: unknown; error?: string | undefined },
  ): Promise<CommandLogEntry | undefined> {
    const p = this.#pending.get(msg.id)
    if (!p || p.agentId !== agentId) return undefined
    return this.#finish(
      msg.id,
      msg.ok
        ? { status: 'success', result: msg.result ?? null }
        : { status: 'failed', result: msg.result, error: msg.error ?? 'failed' },
    )
  }

  /** Fails every pending command of one agent (it disconnected), or of all when agentId is null. */
  async failPending(agentId: string | null, error: string): Promise<void> {
    for (const [id, p] of this.#pending)
      if (agentId === null || p.agentId === agentId) await this.#finish(id, { status: 'failed', error })
  }

  async #finish(id: string, outcome: Outcome): Promise<CommandLogEntry> {
    const p = this.#pending.get(id)
    if (p) {
      clearTimeout(p.timer)
      this.#pending.delete(id)
    }
    let entry: CommandLogEntry | undefined
    try {
      await finishCommand(this.o.db, id, outcome)
      entry = await getCommand(this.o.db, id)
      if (entry) this.o.events.publish({ type: 'command', command: entry })
    } catch (err) {
      this.o.log.error({ err, commandId: id }, 'recording a command outcome failed')
    } finally {
      // Whoever waits for the command gets an answer, even when the database did not take it.
      entry ??= {
        ...(p?.fallback ?? ({ id, params: {}, requestedBy: null } as CommandLogEntry)),
        status: outcome.status,
        error: outcome.error ?? null,
        result: outcome.result ?? null,
        finishedAt: new Date().toISOString(),
      }
      p?.done(entry)
    }
    return entry
  }
}
