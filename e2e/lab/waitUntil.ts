/** Polls a condition until it holds or a deadline passes: the lab's only way of waiting. */
import { setTimeout as sleep } from 'node:timers/promises'

export interface WaitOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Completes "timed out waiting for …" in the error. */
  what: string
  /** More context for the error (a log tail, the last value seen). */
  detail?: () => string | Promise<string>
}

/**
 * Resolves with the first truthy value of `check`. A `check` that throws ends the wait at once
 * with that error; use it for conditions that can never come true (a process that died).
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, what, detail }: WaitOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() >= deadline) {
      const more = await detail?.()
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${more ? `:\n${more}` : ''}`)
    }
    await sleep(intervalMs)
  }
}
