/**
 * The reconnect schedule: exponential delays with jitter, reset once a connection has proved
 * stable. Pure: it computes delays and never sleeps, so tests drive it with fake timers.
 */

export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs?: number
  /** No delay is ever longer than this. */
  maxMs?: number
  /** Each delay lies within ±jitter of its base (0.25 = ±25 %). */
  jitter?: number
  /** A connection that stayed up this long resets the schedule to `initialMs`. */
  stableMs?: number
  /** A number in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number
  now?: () => number
}

export class Backoff {
  readonly initialMs: number
  readonly maxMs: number
  readonly jitter: number
  readonly stableMs: number
  private readonly random: () => number
  private readonly now: () => number
  private attempt = 0
  private connectedAt: number | null = null

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 1000
    this.maxMs = opts.maxMs ?? 60_000
    this.jitter = opts.jitter ?? 0.25
    this.stableMs = opts.stableMs ?? 60_000
    this.random = opts.random ?? Math.random
    // Read Date.now at call time, not construction, so fake timers installed later still apply.
    this.now = opts.now ?? (() => Date.now())
  }

  /** The delay before the next attempt; each call doubles the base up to the cap. */
  next(): number {
    const base = Math.min(this.initialMs * 2 ** this.attempt, this.maxMs)
    // Stop counting once at the cap: 2 ** attempt would otherwise overflow to Infinity.
    if (base < this.maxMs) this.attempt++
    // Jitter spreads many agents reconnecting after a server restart over time. The cap stays a
    // hard limit, so at the cap the jitter only shortens.
    const lower = base * (1 - this.jitter)
    const upper = Math.min(base * (1 + this.jitter), this.maxMs)
    return Math.round(lower + this.random() * (upper - lower))
  }

  reset(): void {
    this.attempt = 0
  }

  /** A connection is up; call `disconnected()` when it ends. */
  connected(): void {
    this.connectedAt = this.now()
  }

  /**
   * A connection ended. Only one that lasted `stableMs` resets the schedule: a server that accepts
   * and drops at once must not be hammered every `initialMs`.
   */
  disconnected(): void {
    if (this.connectedAt !== null && this.now() - this.connectedAt >= this.stableMs) this.reset()
    this.connectedAt = null
  }
}
