/**
 * Expands port forwards into one entry per public port and protocol (how nftables maps hold
 * them), and names each forward's traffic counter. Pure; throws a readable error for forwards
 * that cannot be rendered (two forwards on one port, a range running past 65535).
 */
import type { ForwardState } from '@wirewarp/protocol'

export interface PortEntry {
  protocol: 'tcp' | 'udp'
  publicPort: number
  destinationIp: string
  destinationPort: number
  forward: ForwardState
}

export function protocolsOf(f: ForwardState): ('tcp' | 'udp')[] {
  return f.protocol === 'both' ? ['tcp', 'udp'] : [f.protocol]
}

/** The number of ports a forward spans beyond its first (0 for a single port). */
export function rangeWidth(f: ForwardState): number {
  return f.publicPortEnd === null ? 0 : f.publicPortEnd - f.publicPort
}

/** A range maps onto a range: public port p goes to destinationPort + (p - publicPort). */
export function expandForwards(forwards: readonly ForwardState[]): PortEntry[] {
  const taken = new Map<string, ForwardState>()
  const out: PortEntry[] = []
  for (const f of forwards) {
    const width = rangeWidth(f)
    if (width < 0) throw new Error(`forward ${f.id}: the port range ${f.publicPort}-${f.publicPortEnd} is reversed`)
    if (f.destinationPort + width > 65535)
      throw new Error(
        `forward ${f.id}: ports ${f.publicPort}-${f.publicPortEnd} onto ${f.destinationPort} run past port 65535`,
      )
    for (const protocol of protocolsOf(f)) {
      for (let i = 0; i <= width; i++) {
        const key = `${protocol}/${f.publicPort + i}`
        const other = taken.get(key)
        if (other) throw new Error(`forwards ${other.id} and ${f.id} both use ${protocol} port ${f.publicPort + i}`)
        taken.set(key, f)
        out.push({
          protocol,
          publicPort: f.publicPort + i,
          destinationIp: f.destinationIp,
          destinationPort: f.destinationPort + i,
          forward: f,
        })
      }
    }
  }
  return out.sort((a, b) => a.publicPort - b.publicPort || a.protocol.localeCompare(b.protocol))
}

/**
 * nftables counter names by forward id: `f_` and the id's letters and digits (a UUID without its
 * dashes), with `_2`, `_3`… when two ids would give the same name.
 */
export function forwardCounterNames(forwards: readonly ForwardState[]): Map<string, string> {
  const names = new Map<string, string>()
  const used = new Set<string>()
  for (const id of [...new Set(forwards.map((f) => f.id))].sort()) {
    // nft object names are at most 255 bytes; keep well under.
    const base = `f_${id.replace(/[^A-Za-z0-9]/g, '').slice(0, 200)}`
    let name = base
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`
    used.add(name)
    names.set(id, name)
  }
  return names
}
