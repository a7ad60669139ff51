/**
 * Reads one frame from an agent: bounded in depth before it is parsed (its size is bounded by
 * the socket's maxPayload), JSON, no NUL anywhere, and an AgentMessage by the protocol's
 * schema. Anything else is an AgentRefused that closes the socket with CloseCode.badFrame.
 */
import { AgentMessage, FRAME_LIMITS, findNulPath, jsonDepthExceeds } from '@wirewarp/protocol'
import { binaryFrame, frameTooDeep, invalidJsonFrame, invalidMessage } from '../errors.ts'

export function parseAgentFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): AgentMessage {
  if (isBinary) throw binaryFrame()
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8')
  if (jsonDepthExceeds(text, FRAME_LIMITS.maxDepth)) throw frameTooDeep(FRAME_LIMITS.maxDepth)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalidJsonFrame()
  }
  const nul = findNulPath(json)
  if (nul !== null) throw invalidMessage(`${nul || 'the frame'}: must not contain NUL characters`)
  const parsed = AgentMessage.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : ''
    throw invalidMessage(`${where}${issue?.message ?? 'unknown'}`)
  }
  return parsed.data
}
