/**
 * Reads `table inet wirewarp` as `nft -s list table` prints it (stateless: no counter values),
 * so that two readings differ only when someone changed the table; the drift check compares the
 * reading taken right after an apply with a later one.
 */
import { CommandFailed, type Run } from '../exec/run.ts'
import { NFT_TABLE } from '../render/dataplaneIds.ts'

/** The table's listing, normalized; null when the table does not exist. */
export async function readNftTableListing(run: Run): Promise<string | null> {
  let text: string
  try {
    text = await run(['nft', '-s', 'list', 'table', 'inet', NFT_TABLE])
  } catch (err) {
    if (err instanceof CommandFailed && /No such file or directory/.test(err.stderr)) return null
    throw err
  }
  return normalizeNftListing(text)
}

/** Counter values (older nft print some even with -s) and trailing blanks removed. Pure. */
export function normalizeNftListing(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s*packets \d+ bytes \d+/g, '').trimEnd())
    .filter((l) => l !== '')
    .join('\n')
}

/** How two listings differ, in a few words: `3 lines added, 1 removed`. Pure. */
export function describeListingChange(before: string, after: string): string {
  const count = (text: string) => {
    const m = new Map<string, number>()
    for (const l of text.split('\n')) m.set(l, (m.get(l) ?? 0) + 1)
    return m
  }
  const a = count(before)
  const b = count(after)
  let added = 0
  let removed = 0
  for (const [l, n] of b) added += Math.max(0, n - (a.get(l) ?? 0))
  for (const [l, n] of a) removed += Math.max(0, n - (b.get(l) ?? 0))
  const lines = (n: number) => `${n} line${n === 1 ? '' : 's'}`
  if (added === 0 && removed === 0) return 'lines reordered'
  if (removed === 0) return `${lines(added)} added`
  if (added === 0) return `${lines(removed)} removed`
  return `${lines(added)} added, ${removed} removed`
}
