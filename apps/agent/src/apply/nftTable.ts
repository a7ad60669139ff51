/**
 * Loads rendered nftables text in one `nft -f -` transaction (all of it or none: if it fails,
 * the previous ruleset stays live), and reads the counters of the agent's table.
 */
import { CommandFailed, type Run } from '../exec/run.ts'
import { NFT_TABLE } from '../render/dataplaneIds.ts'
import type { CounterValue } from '../render/renderServerRuleset.ts'

export async function loadNftRuleset(run: Run, text: string): Promise<void> {
  await run(['nft', '-f', '-'], { stdin: text })
}

export interface NftCounter extends CounterValue {
  name: string
  comment: string | null
}

/** The named counters in `table inet wirewarp`; none when the table does not exist. */
export async function readNftCounters(run: Run): Promise<NftCounter[]> {
  let text: string
  try {
    text = await run(['nft', '-j', 'list', 'counters', 'table', 'inet', NFT_TABLE])
  } catch (err) {
    if (err instanceof CommandFailed && /No such file or directory/.test(err.stderr)) return []
    throw err
  }
  const items = (JSON.parse(text) as { nftables?: Record<string, unknown>[] }).nftables ?? []
  return items.flatMap((item) => {
    const c = item.counter as Record<string, unknown> | undefined
    if (!c || typeof c.name !== 'string') return []
    return [
      {
        name: c.name,
        comment: typeof c.comment === 'string' ? c.comment : null,
        packets: Number(c.packets) || 0,
        bytes: Number(c.bytes) || 0,
      },
    ]
  })
}
