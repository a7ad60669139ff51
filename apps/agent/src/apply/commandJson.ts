/**
 * Reads the JSON that `ip -j …` and `nft -j …` print, with a small zod schema of the fields the
 * agent uses. Schemas are loose objects, so fields a newer iproute2 or nftables adds pass
 * through; a field the agent uses with another type, or output that is not JSON, is an error
 * that names the command, which is what the dashboard then shows as the apply error.
 */
import type { z } from 'zod'

export class UnreadableOutput extends Error {
  constructor(
    readonly argv: readonly string[],
    problem: string,
  ) {
    super(`cannot read the output of \`${argv.join(' ')}\`: ${problem}`)
  }
}

export interface CommandJsonOptions {
  /** What blank output stands for: `ip -j` prints nothing, not `[]`, for an empty list on some versions. */
  blank?: unknown
}

export function parseCommandJson<T>(
  argv: readonly string[],
  text: string,
  schema: z.ZodType<T>,
  opts: CommandJsonOptions = {},
): T {
  let json: unknown
  if (text.trim() === '' && 'blank' in opts) json = opts.blank
  else
    try {
      json = JSON.parse(text)
    } catch (err) {
      throw new UnreadableOutput(argv, `not JSON (${(err as Error).message})`)
    }
  const parsed = schema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : ''
  throw new UnreadableOutput(argv, `${where}${issue.message}`)
}
