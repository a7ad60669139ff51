/**
 * Whether a forward's destination is this host itself (its tunnel address, its LAN address or any
 * other address on one of its interfaces) rather than another machine it forwards to. Pure: the
 * host's addresses are passed in, as `ip -j addr` reports them.
 */
import type { ClientState } from '@wirewarp/protocol'
import { canonicalIp } from './ipNetworks.ts'

export function isLocalAddress(ip: string, state: ClientState, hostAddresses: readonly string[]): boolean {
  const tunnel = (state.wireguard?.addresses ?? []).map((a) => a.split('/')[0]!)
  const local = new Set([...tunnel, ...hostAddresses].map(canonicalIp))
  return local.has(canonicalIp(ip))
}
