/** What the agent needs from a way of applying desired state to a host. */
import type { Capabilities, DesiredState, MetricsSample } from '@wirewarp/protocol'

/** Data-plane statistics for the metrics sample: WireGuard peers and per-forward traffic. */
export type DriverStats = Pick<MetricsSample, 'peers' | 'forwards'>

export interface Driver {
  readonly name: 'linux' | 'recording'
  /** Reported to the server in the agent's facts: flat (strings, numbers, booleans, null). */
  capabilities(): Promise<Capabilities>
  /** Makes the host match `state`. Must be safe to call twice with the same state. */
  apply(state: DesiredState): Promise<void>
  /** A JSON-able snapshot for the `diagnostics` command. */
  diagnostics(): Promise<Record<string, unknown>>
  /** Removes everything `apply` set up on the host (drivers that change the host). */
  teardown?(): Promise<void>
  /** Peers and forward counters for the metrics sample (data-plane drivers). */
  stats?(): Promise<DriverStats>
}

/** The driver cannot run here or in this version; `run` stops with this message. */
export class DriverUnavailable extends Error {}
