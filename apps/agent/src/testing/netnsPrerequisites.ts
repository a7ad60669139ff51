/**
 * Why a network-namespace test cannot run on this machine (not Linux, not root, or a tool that
 * does not answer), or null when it can. The tests skip with the reason, and fail under CI=true.
 */
import type { Run } from '../exec/run.ts'

/** Besides these, each test names the tools only it needs. */
const ALWAYS: readonly string[][] = [
  ['ip', 'netns', 'list'],
  ['nft', '--version'],
  ['wg', '--version'],
  ['nsenter', '--version'],
  ['unshare', '--version'],
]

export async function whyNetnsUnavailable(run: Run, more: readonly string[][] = []): Promise<string | null> {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`
  if (process.getuid?.() !== 0) return 'not root'
  for (const argv of [...ALWAYS, ...more])
    try {
      await run(argv)
    } catch (err) {
      return `${argv.join(' ')} does not work here: ${(err as Error).message}`
    }
  return null
}
