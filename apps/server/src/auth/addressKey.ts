/**
 * The address a throttle counts a client under: IPv4 as it is, IPv6 by its /64 (one host or
 * home commonly holds a whole /64, so single IPv6 addresses are free to rotate through).
 */
import ipaddr from 'ipaddr.js'

export function addressKey(ip: string): string {
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:192.0.2.1) back into IPv4.
    const a = ipaddr.process(ip.replace(/%.*$/, ''))
    if (a.kind() === 'ipv4') return a.toString()
    const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${a.toString()}/64`)
    return `${prefix.toString()}/64`
  } catch {
    // Not an address (a Unix socket, say): counted under what it is.
    return ip
  }
}
