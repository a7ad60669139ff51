/**
 * Parses one text frame from the hub with the protocol's schema. Pure. A frame nested deeper
 * than FRAME_LIMITS.maxDepth is refused before `JSON.parse` ever sees it. A frame the agent
 * cannot use still gets an answer when it asked for one (a state to apply, a command to run), so
 * the server sees a failure instead of silence.
 */
import { type AgentMessage, Epoch, FRAME_LIMITS, HubMessage, jsonDepthExceeds } from '@wirewarp/protocol'
import { z } from 'zod'
import { agentText } from './agentText.ts'

export type ParsedFrame = { ok: true; message: HubMessage } | { ok: false; problem: string; reply: AgentMessage | null }

/** What is still readable of a frame that failed the schema: enough to answer it. */
const UnreadableState = z.object({
  type: z.literal('desired_state'),
  state: z.object({ revision: z.number().int().min(0), epoch: Epoch.optional().catch(undefined) }),
})
const UnreadableCommand = z.object({ type: z.literal('command'), id: z.string().max(64) })

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ')
}

export function parseHubFrame(text: string): ParsedFrame {
  if (jsonDepthExceeds(text, FRAME_LIMITS.maxDepth))
    return { ok: false, problem: `the frame is nested deeper than ${FRAME_LIMITS.maxDepth} levels`, reply: null }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, problem: 'the frame is not JSON', reply: null }
  }
  const parsed = HubMessage.safeParse(json)
  if (parsed.success) return { ok: true, message: parsed.data }

  // Paths hold the hub's keys, which may carry anything: clean before logging or sending.
  const problem = agentText(describeIssues(parsed.error))
  const state = UnreadableState.safeParse(json)
  if (state.success) {
    const { revision, epoch } = state.data.state
    return {
      ok: false,
      problem,
      reply: {
        type: 'applied',
        revision,
        ...(epoch !== undefined && { epoch }),
        ok: false,
        error: agentText(`the agent could not read this state (protocol mismatch?): ${problem}`),
        durationMs: 0,
      },
    }
  }
  const command = UnreadableCommand.safeParse(json)
  if (command.success)
    return {
      ok: false,
      problem,
      reply: {
        type: 'command_result',
        id: command.data.id,
        ok: false,
        error: agentText(`the agent does not understand this command: ${problem}`),
      },
    }
  return { ok: false, problem, reply: null }
}
