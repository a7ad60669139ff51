/**
 * Addresses inside a tunnel network: the server takes the first host address, clients the
 * following free ones. Pure: no I/O.
 */
import { parseCidr } from '@wirewarp/protocol'
import ipaddr from 'ipaddr.js'

function v4ToNumber(ip: string): number {
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((n, b) => n * 256 + b, 0)
}

function numberToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

function bounds(network: string): { first: number; last: number } {
  const net = parseCidr(network)
  if (net?.family !== 4) throw new Error(`${network} is not an IPv4 network`)
  const base = v4ToNumber(net.address)
  const size = 2 ** (32 - net.prefix)
  // /31 and /32 have no room for a server and a client.
  return { first: base + 1, last: base + size - 2 }
}

/** The server's own tunnel address: the first host of the network. */
export function serverTunnelIp(network: string): string {
  return numberToV4(bounds(network).first)
}

/** Why `ip` cannot be a client's tunnel address in `network`, or null when it can. */
export function tunnelIpProblem(network: string, ip: string, used: Set<string>): string | null {
  const net = parseCidr(network)
  if (!net) return `${network} is not a network`
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return 'Must be an IPv4 address'
  const { first, last } = bounds(network)
  const n = v4ToNumber(ip)
  if (n < first || n > last) return `Must be a host address inside ${network}`
  if (n === first) return `${ip} is the tunnel server's own address`
  if (used.has(ip)) return `${ip} is already used by another client of this server`
  return null
}

/** The lowest free client address, or null when the network is full. */
export function allocateTunnelIp(network: string, used: Set<string>): string | null {
  const { first, last } = bounds(network)
  for (let n = first + 1; n <= last; n++) {
    const ip = numberToV4(n)
    if (!used.has(ip)) return ip
  }
  return null
}

/**
 * The IPv6 tunnel address paired with a v4 one: the v4 address's host number (its offset in the
 * v4 network) placed in the v6 network, so `10.99.0.7` in a /24 pairs with `fd00:99::7`.
 */
export function v6TunnelIp(v6Network: string, v4Network: string, v4: string): string {
  const v6 = parseCidr(v6Network)
  const v4Net = parseCidr(v4Network)
  if (v6?.family !== 6 || v4Net?.family !== 4) throw new Error('v6TunnelIp needs a v6 and a v4 network')
  let host = v4ToNumber(v4) - v4ToNumber(v4Net.address)
  const bytes = ipaddr.IPv6.parse(v6.address).toByteArray()
  for (let i = 15; i >= 0 && host > 0; i--) {
    bytes[i] = (bytes[i] ?? 0) | (host & 255)
    host = Math.floor(host / 256)
  }
  return (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toString()
}
