/**
 * Parses one text frame from the hub with the protocol's schema. Pure. A frame the agent cannot
 * use still gets an answer when it asked for one (a state to apply, a command to run), so the
 * server sees a failure instead of silence.
 */
import { type AgentMessage, HubMessage } from '@wirewarp/protocol'

export type ParsedFrame = { ok: true; message: HubMessage } | { ok: false; problem: string; reply: AgentMessage | null }

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ')
}

export function parseHubFrame(text: string): ParsedFrame {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, problem: 'the frame is not JSON', reply: null }
  }
  const parsed = HubMessage.safeParse(json)
  if (parsed.success) return { ok: true, message: parsed.data }

  const problem = describeIssues(parsed.error)
  const raw = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
  if (raw.type === 'desired_state') {
    const revision = (raw.state as { revision?: unknown } | undefined)?.revision
    if (Number.isInteger(revision) && (revision as number) >= 0)
      return {
        ok: false,
        problem,
        reply: {
          type: 'applied',
          revision: revision as number,
          ok: false,
          error: `the agent could not read this state (protocol mismatch?): ${problem}`.slice(0, 8000),
          durationMs: 0,
        },
      }
  }
  if (raw.type === 'command' && typeof raw.id === 'string' && raw.id.length <= 64)
    return {
      ok: false,
      problem,
      reply: {
        type: 'command_result',
        id: raw.id,
        ok: false,
        error: `the agent does not understand this command: ${problem}`.slice(0, 8000),
      },
    }
  return { ok: false, problem, reply: null }
}
