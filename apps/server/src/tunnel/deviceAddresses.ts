/**
 * Addresses in a tunnel server's device network. A device holds a host offset; its addresses are
 * that offset placed in the v4 network and, when there is one, the v6 network, so the two stay
 * paired and a changed network re-addresses every device. The server itself takes offset 1.
 * Pure: no I/O.
 */
import { parseCidr } from '@wirewarp/protocol'
import ipaddr from 'ipaddr.js'

/** The tunnel server's own offset in its device networks (the devices' DNS or gateway, if any). */
export const SERVER_DEVICE_OFFSET = 1
/** The first offset a device may take. */
export const FIRST_DEVICE_OFFSET = 2

/** The highest offset a device may take in this v4 network (its broadcast address excluded). */
export function lastDeviceOffset(v4Network: string): number {
  const net = parseCidr(v4Network)
  if (net?.family !== 4) throw new Error(`${v4Network} is not an IPv4 network`)
  return 2 ** (32 - net.prefix) - 2
}

function withOffset(network: string, offset: number): string {
  const net = parseCidr(network)
  if (!net) throw new Error(`${network} is not a network`)
  const bytes = ipaddr.parse(net.address).toByteArray()
  let carry = offset
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = (bytes[i] ?? 0) + (carry % 256)
    bytes[i] = sum % 256
    carry = Math.floor(carry / 256) + Math.floor(sum / 256)
  }
  return ipaddr.fromByteArray(bytes).toString()
}

export function deviceIpv4(v4Network: string, offset: number): string {
  return withOffset(v4Network, offset)
}

export function deviceIpv6(v6Network: string | null, offset: number): string | null {
  return v6Network ? withOffset(v6Network, offset) : null
}

/** Why this pair of networks cannot hold the devices' offsets, or null when it can. */
export function deviceNetworkProblem(
  v4Network: string,
  v6Network: string | null,
  highestOffset: number,
): string | null {
  const last = lastDeviceOffset(v4Network)
  if (last < FIRST_DEVICE_OFFSET) return `${v4Network} has no room for devices`
  if (highestOffset > last) return `${v4Network} is too small for the devices that exist (offset ${highestOffset})`
  if (v6Network) {
    const v6 = parseCidr(v6Network)!
    // Every v4 offset must fit the v6 network too.
    if (128 - v6.prefix < 32 - parseCidr(v4Network)!.prefix) return `${v6Network} is smaller than ${v4Network}`
  }
  return null
}
