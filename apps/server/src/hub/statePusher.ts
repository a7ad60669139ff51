/**
 * Sends one agent connection its desired state, latest wins: requests that arrive while a push
 * is under way fold into one more push, which reads the state as it is then. Only one push per
 * connection runs at a time, so an older document can never overtake a newer one; within one
 * epoch a lower revision than the one last sent is never sent.
 */
import type { DesiredState } from '@wirewarp/protocol'

export class StatePusher {
  #wanted = false
  #again = false
  #running: Promise<void> | null = null
  #last: { epoch: string; revision: number } | null = null

  constructor(
    private readonly load: () => Promise<DesiredState | null>,
    private readonly send: (state: DesiredState) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The state last sent, if any. */
  get lastSent(): { epoch: string; revision: number } | null {
    return this.#last
  }

  /**
   * Asks for the current state to be sent. `again`: send it even if that revision was sent
   * before (the agent acknowledged an older one). Resolves once a push that read the state
   * after this call has finished.
   */
  push(opts: { again?: boolean } = {}): Promise<void> {
    this.#wanted = true
    if (opts.again) this.#again = true
    this.#running ??= this.#run()
    return this.#running
  }

  async #run(): Promise<void> {
    try {
      while (this.#wanted) {
        this.#wanted = false
        const again = this.#again
        this.#again = false
        try {
          const state = await this.load()
          if (!state) continue
          const last = this.#last
          if (last && last.epoch === state.epoch) {
            if (state.revision < last.revision) continue
            if (state.revision === last.revision && !again) continue
          }
          this.#last = { epoch: state.epoch, revision: state.revision }
          this.send(state)
        } catch (err) {
          this.onError(err)
        }
      }
    } finally {
      // No await between the loop's last check and here: a push() that set #wanted after it
      // finds #running null and starts a new run.
      this.#running = null
    }
  }
}
