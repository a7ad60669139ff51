/**
 * Turns any text the agent sends to the hub as an error (stderr of `nft`, `wg`, `ip`, a thrown
 * message) into the protocol's AgentText: terminal escapes and control characters other than tab
 * and newline removed, CR line ends made newlines, at most 8000 characters. Pure. The hub closes
 * the socket on a frame that breaks the rule, so every error text goes through here.
 */

const MAX_CHARS = 8000
const CUT_MARK = '… (cut)'

// CSI (`ESC [ … final`, colours and cursor moves), OSC (`ESC ] … BEL` or `ESC ] … ESC \`, window
// titles, links), and two-character escapes such as `ESC (B`. The text between is kept.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's job
const ESCAPES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u001B[ -/]*[0-~]?/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's job
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F]/g

export function agentText(text: string): string {
  const clean = text.replace(ESCAPES, '').replace(/\r\n?/g, '\n').replace(CONTROLS, '')
  if (clean.length <= MAX_CHARS) return clean
  let head = clean.slice(0, MAX_CHARS - CUT_MARK.length)
  // Never end on half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1)
  return `${head}${CUT_MARK}`
}

/** The message of anything thrown, as AgentText. */
export function errorText(err: unknown): string {
  return agentText(err instanceof Error ? err.message : String(err))
}
