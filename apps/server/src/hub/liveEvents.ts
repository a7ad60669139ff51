/** In-process fan-out of live events (agent status, applied revisions, command results) to dashboard streams. */
import type { LiveEvent } from '@wirewarp/protocol'

type Listener = (e: LiveEvent) => void

export class LiveEvents {
  readonly #listeners = new Set<Listener>()

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  publish(e: LiveEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e)
      } catch {
        // One broken stream must not stop the others.
      }
    }
  }

  get size(): number {
    return this.#listeners.size
  }
}
