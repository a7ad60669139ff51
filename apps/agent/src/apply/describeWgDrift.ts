/**
 * Says, in a few words and without any key, how a WireGuard interface differs from the config
 * the agent wants on it: `2 peers missing`, `1 unknown peer`, `listen port 51821 instead of
 * 51820`. Pure: compares the wanted config with a parsed `wg show dump`.
 */
import { canonicalPrefixed } from '../render/ipNetworks.ts'
import type { WgConfig } from '../render/wantedWgPeers.ts'
import type { WgDump } from './wgDump.ts'

const peers = (n: number) => `${n} peer${n === 1 ? '' : 's'}`
const allowed = (l: readonly string[]) => [...new Set(l.map(canonicalPrefixed))].sort().join(',')

export function describeWgDrift(wg: WgConfig, privateKey: string, dump: WgDump): string[] {
  const out: string[] = []
  if (dump.privateKey !== privateKey) out.push(dump.privateKey === null ? 'private key missing' : 'private key differs')
  if (wg.listenPort !== null && wg.listenPort !== dump.listenPort)
    out.push(`listen port ${dump.listenPort || 'none'} instead of ${wg.listenPort}`)
  const have = new Map(dump.peers.map((p) => [p.publicKey, p]))
  // WireGuard never keeps a peer with the interface's own key (planWgUpdate skips it too).
  const want = wg.peers.filter((p) => p.publicKey !== dump.publicKey)
  const wantKeys = new Set(want.map((p) => p.publicKey))
  let missing = 0
  let otherIps = 0
  let otherKey = 0
  let otherSettings = 0
  for (const p of want) {
    const h = have.get(p.publicKey)
    if (!h) missing++
    else if (allowed(p.allowedIps) !== allowed(h.allowedIps)) otherIps++
    else if ((p.presharedKey ?? null) !== h.presharedKey) otherKey++
    else if (p.persistentKeepalive !== h.persistentKeepalive) otherSettings++
  }
  const unknown = dump.peers.filter((p) => !wantKeys.has(p.publicKey)).length
  if (missing) out.push(`${peers(missing)} missing`)
  if (unknown) out.push(`${unknown} unknown peer${unknown === 1 ? '' : 's'}`)
  if (otherIps) out.push(`${peers(otherIps)} with other allowed IPs`)
  if (otherKey) out.push(`${peers(otherKey)} with another preshared key`)
  if (otherSettings) out.push(`${peers(otherSettings)} with another keepalive`)
  return out
}
