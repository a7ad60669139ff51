/**
 * Decides how to bring a WireGuard interface to its desired config: nothing, one `wg set` with
 * the few peers that changed, or a whole `wg syncconf`. Pure: compares the state with a parsed
 * `wg show dump`.
 */
import type { WgInterfaceState, WgPeer } from '@wirewarp/protocol'
import { canonicalIp, canonicalPrefixed } from '../render/ipNetworks.ts'
import type { DumpPeer, WgDump } from './wgDump.ts'

export type WgUpdate = { kind: 'none' } | { kind: 'set'; argv: string[] } | { kind: 'syncconf' }

/**
 * Above this many peer changes one `syncconf` is cheaper than a long `wg set` (measured: `wg set`
 * ~2.5 ms per peer, `syncconf` of 10,000 peers ~1 s), and it also clears anything we do not know.
 */
export const MAX_SET_CHANGES = 8

/** `ip:port` / `[ip6]:port` in the form `wg` prints; null for a host name (not comparable). */
function literalEndpoint(endpoint: string): string | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(endpoint) ?? /^([\d.]+):(\d+)$/.exec(endpoint)
  if (!m) return null
  const ip = canonicalIp(m[1]!)
  return ip.includes(':') ? `[${ip}]:${m[2]}` : `${ip}:${m[2]}`
}

function sameAllowedIps(a: readonly string[], b: readonly string[]): boolean {
  const norm = (l: readonly string[]) => [...new Set(l.map(canonicalPrefixed))].sort().join(',')
  return norm(a) === norm(b)
}

function peerDiffers(want: WgPeer, have: DumpPeer): boolean {
  if (!sameAllowedIps(want.allowedIps, have.allowedIps)) return true
  if (want.persistentKeepalive !== have.persistentKeepalive) return true
  // No endpoint wanted: the peer connects to us and WireGuard learns (and roams) its address.
  if (want.endpoint === null) return false
  const literal = literalEndpoint(want.endpoint)
  // A host name cannot be compared with the address it resolved to; it is set when the peer is new.
  return literal !== null && literal !== have.endpoint
}

function peerArgs(p: WgPeer): string[] {
  const args = ['peer', p.publicKey, 'allowed-ips', p.allowedIps.join(',')]
  if (p.endpoint !== null) args.push('endpoint', p.endpoint)
  args.push('persistent-keepalive', p.persistentKeepalive === 0 ? 'off' : String(p.persistentKeepalive))
  return args
}

export function planWgUpdate(wg: WgInterfaceState, privateKey: string, dump: WgDump): WgUpdate {
  if (dump.privateKey !== privateKey) return { kind: 'syncconf' }
  const have = new Map(dump.peers.map((p) => [p.publicKey, p]))
  const want = new Set(wg.peers.map((p) => p.publicKey))
  const changes: string[][] = []
  for (const p of dump.peers) {
    // A preshared key is never part of our config; only a full sync removes one.
    if (p.presharedKey !== null) return { kind: 'syncconf' }
    if (!want.has(p.publicKey)) changes.push(['peer', p.publicKey, 'remove'])
  }
  for (const p of wg.peers) {
    // WireGuard never keeps a peer with the interface's own key; asking again would repeat forever.
    if (p.publicKey === dump.publicKey) continue
    const h = have.get(p.publicKey)
    if (!h || peerDiffers(p, h)) changes.push(peerArgs(p))
  }
  if (changes.length > MAX_SET_CHANGES) return { kind: 'syncconf' }
  const listen =
    wg.listenPort !== null && wg.listenPort !== dump.listenPort ? ['listen-port', String(wg.listenPort)] : []
  if (changes.length === 0 && listen.length === 0) return { kind: 'none' }
  return { kind: 'set', argv: ['wg', 'set', wg.name, ...listen, ...changes.flat()] }
}
