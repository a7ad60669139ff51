/** What the agent needs from a way of applying desired state to a host. */
import type { Capabilities, DesiredState, DriftItem, MetricsSample } from '@wirewarp/protocol'

/**
 * What a drift check found changed on the host and put back (never a key); `error`: a repair
 * failed, and `items` says what was found up to then.
 */
export interface DriftResult {
  items: DriftItem[]
  error?: string
}

/** Data-plane statistics for the metrics sample: WireGuard peers and per-forward traffic. */
export type DriverStats = Pick<MetricsSample, 'peers' | 'forwards'>

export interface Driver {
  readonly name: 'linux' | 'recording'
  /** Reported to the server in the agent's facts: flat (strings, numbers, booleans, null). */
  capabilities(): Promise<Capabilities>
  /** Makes the host match `state`. Must be safe to call twice with the same state. */
  apply(state: DesiredState): Promise<void>
  /**
   * Work after a successful apply that the server need not wait for (the drift check's baseline):
   * run once the apply is acknowledged, before anything else the agent does.
   */
  settle?(): Promise<void>
  /** A JSON-able snapshot for the `diagnostics` command. */
  diagnostics(): Promise<Record<string, unknown>>
  /** Removes everything `apply` set up on the host (drivers that change the host). */
  teardown?(): Promise<void>
  /**
   * Compares the host with the state last applied and repairs what differs, as an apply would;
   * nothing to do before the first apply. Never throws for a failed repair: that is `error`.
   * Not called while an apply runs.
   */
  checkDrift?(): Promise<DriftResult>
  /** Peers and forward counters for the metrics sample (data-plane drivers). */
  stats?(): Promise<DriverStats>
}

/** The driver cannot run here or in this version; `run` stops with this message. */
export class DriverUnavailable extends Error {}
