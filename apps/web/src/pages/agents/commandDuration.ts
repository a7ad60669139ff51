/** How long a command took, from the request to the agent's answer; null while it runs. */
import type { CommandLogEntry } from '@wirewarp/protocol'

export function commandDurationMs(c: Pick<CommandLogEntry, 'createdAt' | 'finishedAt'>): number | null {
  if (!c.finishedAt) return null
  const ms = new Date(c.finishedAt).getTime() - new Date(c.createdAt).getTime()
  return Number.isFinite(ms) ? Math.max(0, ms) : null
}
