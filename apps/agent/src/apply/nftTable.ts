/**
 * Loads rendered nftables text in one `nft -f -` transaction (all of it or none: if it fails,
 * the previous ruleset stays live), and reads the counters of the agent's table.
 */
import { z } from 'zod'
import { CommandFailed, type Run } from '../exec/run.ts'
import { NFT_TABLE } from '../render/dataplaneIds.ts'
import type { CounterValue } from '../render/renderServerRuleset.ts'
import { parseCommandJson } from './commandJson.ts'

/** `nft -j list counters`: the `counter` items (metainfo and anything else pass through). */
const NftCounters = z.looseObject({
  nftables: z.array(
    z.looseObject({
      counter: z
        .looseObject({ name: z.string(), comment: z.string().optional(), packets: z.number(), bytes: z.number() })
        .optional(),
    }),
  ),
})

export async function loadNftRuleset(run: Run, text: string): Promise<void> {
  await run(['nft', '-f', '-'], { stdin: text })
}

export interface NftCounter extends CounterValue {
  name: string
  comment: string | null
}

/** The named counters in `table inet wirewarp`; none when the table does not exist. */
export async function readNftCounters(run: Run): Promise<NftCounter[]> {
  const argv = ['nft', '-j', 'list', 'counters', 'table', 'inet', NFT_TABLE]
  let text: string
  try {
    text = await run(argv)
  } catch (err) {
    if (err instanceof CommandFailed && /No such file or directory/.test(err.stderr)) return []
    throw err
  }
  return parseCommandJson(argv, text, NftCounters).nftables.flatMap(({ counter: c }) =>
    c ? [{ name: c.name, comment: c.comment ?? null, packets: c.packets, bytes: c.bytes }] : [],
  )
}
