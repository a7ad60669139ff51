/**
 * Renders the kernel settings a state needs, as paths under /proc/sys and values. Pure.
 *
 * Teardown leaves them as they are: other software on the host (Docker, libvirt, another VPN)
 * may rely on forwarding, and turning it off under them would break their traffic.
 */
import type { DesiredState } from '@wirewarp/protocol'
import { familyOf } from './ipNetworks.ts'

export interface Sysctl {
  /** Relative to /proc/sys, e.g. `net/ipv4/ip_forward`. */
  key: string
  value: string
}

export function renderSysctls(state: DesiredState): Sysctl[] {
  const wg = state.wireguard
  if (!wg) return []
  const out: Sysctl[] = [{ key: 'net/ipv4/ip_forward', value: '1' }]
  const deviceNetworks = state.mode === 'server' ? state.vpn.deviceNetworks : state.deviceNetworks
  // IPv6 devices are forwarded by the server and, into a site's LAN, by the client. Note that
  // with forwarding on, Linux ignores router advertisements on interfaces with accept_ra=1.
  const v6 =
    (state.mode === 'server' && wg.addresses.some((a) => familyOf(a) === 6)) ||
    deviceNetworks.some((n) => familyOf(n) === 6)
  if (v6) out.push({ key: 'net/ipv6/conf/all/forwarding', value: '1' })
  if (state.mode === 'server') return out
  // Loose reverse-path filtering: client addresses arrive on the tunnel while the main table
  // routes them elsewhere; strict mode would drop them. The kernel uses the larger of `all` and
  // the interface's value, so both are set.
  out.push(
    { key: 'net/ipv4/conf/all/rp_filter', value: '2' },
    { key: `net/ipv4/conf/${wg.name}/rp_filter`, value: '2' },
    // Lets the reverse-path check use the fwmark, as the marked replies are routed.
    { key: 'net/ipv4/conf/all/src_valid_mark', value: '1' },
  )
  return out
}
