/**
 * Decides how to bring a WireGuard interface to its desired config: nothing, one `wg set` with
 * the few peers that changed, or a whole `wg syncconf`. Pure: compares the wanted config with a
 * parsed `wg show dump`.
 *
 * Preshared keys never go into argv (any user can read it in `ps`): a `wg set` names a file per
 * key, and the plan lists the files with their keys for the applier to write (0600) before the
 * command and remove after it.
 */
import { canonicalIp, canonicalPrefixed } from '../render/ipNetworks.ts'
import type { WgConfig, WgPeerConfig } from '../render/wantedWgPeers.ts'
import type { DumpPeer, WgDump } from './wgDump.ts'

export interface KeyFile {
  path: string
  /** The preshared key (base64): a secret. */
  key: string
}

export type WgUpdate = { kind: 'none' } | { kind: 'set'; argv: string[]; keyFiles: KeyFile[] } | { kind: 'syncconf' }

/**
 * Above this many peer changes one `syncconf` is cheaper than a long `wg set` (measured: `wg set`
 * ~2.5 ms per peer, `syncconf` of 10,000 peers ~1 s), and it also clears anything we do not know.
 */
export const MAX_SET_CHANGES = 8

/** `wg set … preshared-key /dev/null` removes a peer's preshared key. */
const NO_KEY_FILE = '/dev/null'

/** `ip:port` / `[ip6]:port` in the form `wg` prints; null for a host name (not comparable). */
function literalEndpoint(endpoint: string): string | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(endpoint) ?? /^([\d.]+):(\d+)$/.exec(endpoint)
  if (!m) return null
  const ip = canonicalIp(m[1]!)
  return ip.includes(':') ? `[${ip}]:${m[2]}` : `${ip}:${m[2]}`
}

function sameAllowedIps(a: readonly string[], b: readonly string[]): boolean {
  // The usual case, and cheap with 10,000 devices: the state is spelled as `wg` prints it.
  if (a.length === b.length && a.every((x, i) => x === b[i])) return true
  const norm = (l: readonly string[]) => [...new Set(l.map(canonicalPrefixed))].sort().join(',')
  return norm(a) === norm(b)
}

function peerDiffers(want: WgPeerConfig, have: DumpPeer): boolean {
  if (!sameAllowedIps(want.allowedIps, have.allowedIps)) return true
  if (want.persistentKeepalive !== have.persistentKeepalive) return true
  if ((want.presharedKey ?? null) !== have.presharedKey) return true
  // No endpoint wanted: the peer connects to us and WireGuard learns (and roams) its address.
  if (want.endpoint === null) return false
  const literal = literalEndpoint(want.endpoint)
  // A host name cannot be compared with the address it resolved to; it is set when the peer is new.
  return literal !== null && literal !== have.endpoint
}

function peerArgs(p: WgPeerConfig, keyFile: string | null): string[] {
  const args = ['peer', p.publicKey]
  if (keyFile !== null) args.push('preshared-key', keyFile)
  args.push('allowed-ips', p.allowedIps.join(','))
  if (p.endpoint !== null) args.push('endpoint', p.endpoint)
  args.push('persistent-keepalive', p.persistentKeepalive === 0 ? 'off' : String(p.persistentKeepalive))
  return args
}

/**
 * `keyDir`: a private directory (0700) the applier makes for the key files of a `wg set`; the
 * plan only names files in it.
 */
export function planWgUpdate(wg: WgConfig, privateKey: string, dump: WgDump, keyDir: string): WgUpdate {
  if (dump.privateKey !== privateKey) return { kind: 'syncconf' }
  const have = new Map(dump.peers.map((p) => [p.publicKey, p]))
  const want = new Set(wg.peers.map((p) => p.publicKey))
  const changes: string[][] = []
  const keyFiles: KeyFile[] = []
  for (const p of dump.peers) if (!want.has(p.publicKey)) changes.push(['peer', p.publicKey, 'remove'])
  for (const p of wg.peers) {
    // WireGuard never keeps a peer with the interface's own key; asking again would repeat forever.
    if (p.publicKey === dump.publicKey) continue
    const h = have.get(p.publicKey)
    if (h && !peerDiffers(p, h)) continue
    // Stop before writing key files for a plan that becomes a syncconf anyway.
    if (changes.length >= MAX_SET_CHANGES) return { kind: 'syncconf' }
    const wantKey = p.presharedKey ?? null
    let keyFile: string | null = null
    if (wantKey !== null && wantKey !== (h?.presharedKey ?? null)) {
      keyFile = `${keyDir}/${keyFiles.length}.psk`
      keyFiles.push({ path: keyFile, key: wantKey })
    } else if (wantKey === null && h?.presharedKey) keyFile = NO_KEY_FILE
    changes.push(peerArgs(p, keyFile))
  }
  if (changes.length > MAX_SET_CHANGES) return { kind: 'syncconf' }
  const listen =
    wg.listenPort !== null && wg.listenPort !== dump.listenPort ? ['listen-port', String(wg.listenPort)] : []
  if (changes.length === 0 && listen.length === 0) return { kind: 'none' }
  return { kind: 'set', argv: ['wg', 'set', wg.name, ...listen, ...changes.flat()], keyFiles }
}
