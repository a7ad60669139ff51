/**
 * A driver that changes nothing on the host: each apply appends one JSON line
 * `{at, revision, mode, state}` to `<stateDir>/recording.jsonl`, so tests (and people trying the
 * agent on a laptop) can see what was applied and when.
 *
 * To make applies fail on purpose, put a message in `<stateDir>/recording.fail`: every apply then
 * throws it (without recording) until the file is removed. Integration tests use this to
 * exercise `applied {ok: false}`.
 */
import { appendFile, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Capabilities, DesiredState } from '@wirewarp/protocol'
import type { DriftResult, Driver } from './driver.ts'

export const RECORDING_FILE = 'recording.jsonl'
export const RECORDING_FAIL_FILE = 'recording.fail'

export class RecordingDriver implements Driver {
  readonly name = 'recording'
  readonly file: string
  private lastState: DesiredState | null = null
  private lastAppliedAt: string | null = null
  private applies = 0

  constructor(
    private readonly stateDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(stateDir, RECORDING_FILE)
  }

  async capabilities(): Promise<Capabilities> {
    return { driver: 'recording' }
  }

  async apply(state: DesiredState): Promise<void> {
    const failure = await readFile(path.join(this.stateDir, RECORDING_FAIL_FILE), 'utf8').catch(() => null)
    if (failure !== null) throw new Error(failure.trim() || 'recording.fail is present')
    const at = this.now().toISOString()
    await appendFile(this.file, `${JSON.stringify({ at, revision: state.revision, mode: state.mode, state })}\n`, {
      mode: 0o600,
    })
    this.lastState = state
    this.lastAppliedAt = at
    this.applies++
  }

  /** Nothing on the host is ours, so nothing can drift. */
  async checkDrift(): Promise<DriftResult> {
    return { items: [] }
  }

  async diagnostics(): Promise<Record<string, unknown>> {
    const s = this.lastState
    return {
      driver: 'recording',
      recordingFile: this.file,
      appliesSinceStart: this.applies,
      lastAppliedAt: this.lastAppliedAt,
      lastState: s && {
        revision: s.revision,
        mode: s.mode,
        interface: s.wireguard?.name ?? null,
        addresses: s.wireguard?.addresses ?? [],
        peers: s.wireguard?.peers.length ?? 0,
        forwards: s.mode === 'server' ? s.forwards.length : s.inboundForwards.length,
        gateway: s.mode === 'client' ? s.gateway.enabled : null,
      },
    }
  }
}
