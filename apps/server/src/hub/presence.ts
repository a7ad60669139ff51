/**
 * Which agents this server process holds a socket for, when each was last heard from, and
 * which have gone silent. Last-seen times are collected here and written in batches, never one
 * database write per heartbeat.
 */
import type { WebSocket } from 'ws'
import type { StatePusher } from './statePusher.ts'

export interface Connection {
  agentId: string
  socket: WebSocket
  /** The agent's protocol version (1 or 2). */
  protocolVersion: number
  /** The commands the agent runs. */
  commands: ReadonlySet<string>
  pusher: StatePusher
  lastMessageAt: number
}

export class Presence {
  readonly #connections = new Map<string, Connection>()
  readonly #lastSeen = new Map<string, string>()

  get(agentId: string): Connection | undefined {
    return this.#connections.get(agentId)
  }

  get size(): number {
    return this.#connections.size
  }

  ids(): string[] {
    return [...this.#connections.keys()]
  }

  all(): Connection[] {
    return [...this.#connections.values()]
  }

  /** Adds a connection; returns the one it replaces (the newer connection of an agent wins). */
  add(c: Connection): Connection | undefined {
    const previous = this.#connections.get(c.agentId)
    this.#connections.set(c.agentId, c)
    return previous
  }

  /** Removes the agent's connection if it is still this socket's; true when it was. */
  remove(agentId: string, socket: WebSocket): boolean {
    if (this.#connections.get(agentId)?.socket !== socket) return false
    this.#connections.delete(agentId)
    this.#lastSeen.delete(agentId)
    return true
  }

  /** Forgets an agent whatever its socket (deleted agents). */
  drop(agentId: string): Connection | undefined {
    const c = this.#connections.get(agentId)
    this.#connections.delete(agentId)
    this.#lastSeen.delete(agentId)
    return c
  }

  heard(c: Connection, at: string): void {
    c.lastMessageAt = Date.now()
    this.#lastSeen.set(c.agentId, at)
  }

  /** Connections silent since before `limit` (ms since the epoch). */
  silentSince(limit: number): Connection[] {
    return this.all().filter((c) => c.lastMessageAt < limit)
  }

  /** The last-seen times collected since the previous call. */
  takeLastSeen(): [string, string][] {
    const batch = [...this.#lastSeen]
    this.#lastSeen.clear()
    return batch
  }
}
