/**
 * Reads `nft -j list table …` output: which ports the table's maps and sets hold, and a form
 * without the handles the kernel numbers objects with, for comparing two listings. Pure.
 */

export interface NftListing {
  nftables: Record<string, unknown>[]
}

interface NftCollection {
  name: string
  elem?: unknown[]
}

export function parseNftListing(json: string): NftListing {
  return JSON.parse(json) as NftListing
}

/** The listing with every `handle` removed: objects rebuilt with the same content compare equal. */
export function withoutHandles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHandles)
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'handle')
        .map(([k, v]) => [k, withoutHandles(v)]),
    )
  return value
}

function collections(l: NftListing): { kind: 'map' | 'set'; c: NftCollection }[] {
  const out: { kind: 'map' | 'set'; c: NftCollection }[] = []
  for (const o of l.nftables) {
    if ('map' in o) out.push({ kind: 'map', c: o.map as NftCollection })
    if ('set' in o) out.push({ kind: 'set', c: o.set as NftCollection })
  }
  return out
}

/** Ports a map or set key stands for: a port, a `{range: [a, b]}`, or either wrapped in `{elem: {val}}`. */
function keyPorts(key: unknown): number[] {
  if (typeof key === 'number') return [key]
  if (key && typeof key === 'object') {
    if ('elem' in key) return keyPorts((key.elem as { val?: unknown }).val)
    if ('range' in key && Array.isArray(key.range)) {
      const [a, b] = key.range as number[]
      if (typeof a === 'number' && typeof b === 'number') return Array.from({ length: b - a + 1 }, (_, i) => a + i)
    }
  }
  return []
}

/** The ports that are keys of map or set `name`, sorted; [] when it is empty or absent. */
export function portsOf(l: NftListing, name: string): number[] {
  const found = collections(l).find(({ c }) => c.name === name)
  if (!found) return []
  const keys = (found.c.elem ?? []).map((e) => (found.kind === 'map' && Array.isArray(e) ? e[0] : e))
  return keys.flatMap(keyPorts).sort((a, b) => a - b)
}

/** Names of the maps and sets that have `port` among their keys. */
export function collectionsWithPort(l: NftListing, port: number): string[] {
  return collections(l)
    .filter(({ c }) => portsOf(l, c.name).includes(port))
    .map(({ c }) => c.name)
}
