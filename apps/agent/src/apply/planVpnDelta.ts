/**
 * A tunnel server's state that differs from the one applied only in its devices and users' rules
 * is applied as a delta: one nft transaction that deletes and adds map elements and replaces the
 * changed users' chains, and one `wg set` for the devices that changed, instead of re-rendering,
 * reloading and re-reading everything (at 10,000 devices the whole way takes half a second).
 * Everything else, and the same state applied again (which repairs the host), takes the whole way.
 * Pure: plans only.
 */
import type { DesiredState, DeviceState, ServerState } from '@wirewarp/protocol'
import { NFT_TABLE } from '../render/dataplaneIds.ts'
import {
  deviceElements,
  deviceNetworksOf,
  userChainName,
  userChainRules,
  userChains,
} from '../render/renderVpnRuleset.ts'
import type { KeyFile } from './planWgUpdate.ts'

export interface VpnDelta {
  /** One `nft -f` transaction; empty when the table needs no change. */
  nft: string
  /** One `wg set` (empty: none) and the preshared-key files it reads. */
  wg: string[]
  keyFiles: KeyFile[]
}

const withoutVpnLists = (s: ServerState) => ({
  ...s,
  revision: 0,
  epoch: '',
  vpn: { ...s.vpn, devices: [], users: [] },
})

/** True when `next` differs from `prev` (both applied as server states) only in devices and users. */
export function vpnOnlyChange(prev: DesiredState | null, next: DesiredState): prev is ServerState {
  if (prev?.mode !== 'server' || next.mode !== 'server') return false
  if (JSON.stringify(withoutVpnLists(prev)) !== JSON.stringify(withoutVpnLists(next))) return false
  return (
    JSON.stringify(prev.vpn.devices) !== JSON.stringify(next.vpn.devices) ||
    JSON.stringify(prev.vpn.users) !== JSON.stringify(next.vpn.users)
  )
}

const sameDevice = (a: DeviceState, b: DeviceState) =>
  a.presharedKey === b.presharedKey && a.user === b.user && a.addresses.join() === b.addresses.join()

export function planVpnDelta(prev: ServerState, next: ServerState, keyDir: string): VpnDelta {
  const networks = deviceNetworksOf(next.vpn)
  const chains = userChains(next.vpn)
  const before = new Map(prev.vpn.devices.map((d) => [d.publicKey, d]))
  const after = new Map(next.vpn.devices.map((d) => [d.publicKey, d]))
  if (after.size !== next.vpn.devices.length) throw new Error('a device key is listed twice')

  // Every address once, across all devices: the whole check, but no rendering.
  const taken = new Map<string, string>()
  for (const d of next.vpn.devices)
    for (const a of d.addresses) {
      const other = taken.get(a)
      if (other) throw new Error(`devices ${other} and ${d.publicKey} both use ${a}`)
      taken.set(a, d.publicKey)
    }
  const wgPeerKeys = new Set(next.wireguard.peers.map((p) => p.publicKey))
  const gone = prev.vpn.devices.filter((d) => !after.has(d.publicKey))
  const changed = next.vpn.devices.filter((d) => {
    const b = before.get(d.publicKey)
    return !b || !sameDevice(b, d)
  })
  for (const d of changed)
    if (wgPeerKeys.has(d.publicKey)) throw new Error(`device ${d.publicKey} is also a site's peer`)

  const usersBefore = new Map(prev.vpn.users.map((u) => [u.id, JSON.stringify(u.rules)]))
  const usersAfter = new Set(next.vpn.users.map((u) => u.id))
  const lines: string[] = []
  const map = (family: 4 | 6) => `inet ${NFT_TABLE} device_users${family}`
  // Old elements first (their chain may go), then the chains, then the new elements (their chain
  // must exist). All in one transaction: nft applies it whole or not at all.
  for (const d of [...gone, ...changed.filter((c) => before.has(c.publicKey))])
    for (const e of deviceElements(before.get(d.publicKey)!, deviceNetworksOf(prev.vpn), userChains(prev.vpn)))
      lines.push(`delete element ${map(e.family)} { ${e.address} }`)
  for (const u of next.vpn.users) {
    const old = usersBefore.get(u.id)
    if (old === JSON.stringify(u.rules)) continue
    const chain = `inet ${NFT_TABLE} ${userChainName(u.id)}`
    lines.push(old === undefined ? `add chain ${chain}` : `flush chain ${chain}`)
    for (const r of userChainRules(u, next.vpn.defaultPolicy)) lines.push(`add rule ${chain} ${r}`)
  }
  for (const id of usersBefore.keys())
    if (!usersAfter.has(id)) lines.push(`delete chain inet ${NFT_TABLE} ${userChainName(id)}`)
  for (const d of changed)
    for (const e of deviceElements(d, networks, chains)) lines.push(`add element ${map(e.family)} { ${e.element} }`)

  const wg: string[] = []
  const keyFiles: KeyFile[] = []
  for (const d of gone) wg.push('peer', d.publicKey, 'remove')
  for (const d of changed) {
    wg.push('peer', d.publicKey, 'allowed-ips', d.addresses.join(','))
    const b = before.get(d.publicKey)
    if (d.presharedKey !== null && d.presharedKey !== (b?.presharedKey ?? null)) {
      const path = `${keyDir}/${keyFiles.length}.psk`
      keyFiles.push({ path, key: d.presharedKey })
      wg.push('preshared-key', path)
    } else if (d.presharedKey === null && b?.presharedKey) wg.push('preshared-key', '/dev/null')
    wg.push('persistent-keepalive', 'off')
  }
  return {
    nft: lines.length > 0 ? `${lines.join('\n')}\n` : '',
    wg: wg.length > 0 ? ['wg', 'set', next.wireguard.name, ...wg] : [],
    keyFiles,
  }
}
