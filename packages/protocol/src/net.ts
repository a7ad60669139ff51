/** Zod types for IP addresses, CIDRs and ports, parsed with ipaddr.js rather than regexes. */
import ipaddr from 'ipaddr.js'
import { z } from 'zod'

function parseAddress(value: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // isValidFourPartDecimal refuses the legacy forms ipaddr.parse accepts ("10.1", "0x7f.1").
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value)
  if (value.includes(':') && ipaddr.IPv6.isValid(value) && !value.includes('%')) return ipaddr.IPv6.parse(value)
  return null
}

/** The address family of a valid IP literal, or null. */
export function ipFamily(value: string): 4 | 6 | null {
  const ip = parseAddress(value)
  return ip === null ? null : ip.kind() === 'ipv4' ? 4 : 6
}

/** Parses "a.b.c.d/n" or "x::/n"; returns null unless valid and with no host bits set. */
export function parseCidr(value: string): { family: 4 | 6; address: string; prefix: number } | null {
  const slash = value.indexOf('/')
  if (slash < 0) return null
  const addr = parseAddress(value.slice(0, slash))
  const prefixText = value.slice(slash + 1)
  if (addr === null || !/^\d{1,3}$/.test(prefixText)) return null
  const prefix = Number(prefixText)
  const family = addr.kind() === 'ipv4' ? 4 : 6
  if (prefix > (family === 4 ? 32 : 128)) return null
  const network =
    family === 4
      ? ipaddr.IPv4.networkAddressFromCIDR(value).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(value).toString()
  if (network !== addr.toString()) return null
  return { family, address: network, prefix }
}

/** True when `ip` lies inside `cidr` (same family). */
export function cidrContains(cidr: string, ip: string): boolean {
  const net = parseCidr(cidr)
  const addr = parseAddress(ip)
  if (!net || !addr) return false
  if ((net.family === 4) !== (addr.kind() === 'ipv4')) return false
  return addr.match(ipaddr.parse(net.address), net.prefix)
}

/** True when two networks of the same family share an address (one contains the other). */
export function cidrsOverlap(a: string, b: string): boolean {
  const na = parseCidr(a)
  const nb = parseCidr(b)
  if (!na || !nb || na.family !== nb.family) return false
  return cidrContains(a, nb.address) || cidrContains(b, na.address)
}

export const Ipv4 = z
  .string({ error: 'Must be an IPv4 address such as 203.0.113.10' })
  .max(15)
  .refine((v) => ipFamily(v) === 4, { message: 'Must be an IPv4 address such as 203.0.113.10' })
export const IpAddress = z
  .string({ error: 'Must be an IPv4 or IPv6 address' })
  .max(45)
  .refine((v) => ipFamily(v) !== null, { message: 'Must be an IPv4 or IPv6 address' })
export const Cidr4 = z
  .string({ error: 'Must be an IPv4 network in CIDR form, such as 10.99.0.0/24' })
  .max(18)
  .refine((v) => parseCidr(v)?.family === 4, {
    message: 'Must be an IPv4 network in CIDR form with no host bits set, such as 10.99.0.0/24',
  })
export const Cidr6 = z
  .string({ error: 'Must be an IPv6 network in CIDR form, such as fd00:99::/64' })
  .max(43)
  .refine((v) => parseCidr(v)?.family === 6, {
    message: 'Must be an IPv6 network in CIDR form with no host bits set, such as fd00:99::/64',
  })
export const Cidr = z
  .string({ error: 'Must be an IPv4 or IPv6 network in CIDR form' })
  .max(43)
  .refine((v) => parseCidr(v) !== null, {
    message: 'Must be an IPv4 or IPv6 network in CIDR form with no host bits set',
  })

const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']

/** A tunnel's IPv4 network: private (RFC 1918 or CGNAT space), /8 to /30 so it holds a server and clients. */
export const TunnelNetwork4 = Cidr4.superRefine((v, ctx) => {
  const net = parseCidr(v)
  if (!net) return
  if (net.prefix < 8 || net.prefix > 30)
    ctx.addIssue({
      code: 'custom',
      message: 'Must be a network from /8 to /30, with room for the server and its clients',
    })
  else if (!PRIVATE_V4.some((p) => cidrContains(p, net.address) && parseCidr(p)!.prefix <= net.prefix))
    ctx.addIssue({
      code: 'custom',
      message: 'Must be a private network (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)',
    })
})

/** A tunnel's IPv6 network: unique-local or global unicast, /48 to /124. */
export const TunnelNetwork6 = Cidr6.superRefine((v, ctx) => {
  const net = parseCidr(v)
  if (!net) return
  if (net.prefix < 48 || net.prefix > 124)
    ctx.addIssue({ code: 'custom', message: 'Must be a network from /48 to /124' })
  else if (!cidrContains('fc00::/7', net.address) && !cidrContains('2000::/3', net.address))
    ctx.addIssue({ code: 'custom', message: 'Must be a unique-local (fd00::/8) or global unicast network' })
})

export const Port = z
  .number({ error: 'Must be a whole number from 1 to 65535' })
  .int({ error: 'Must be a whole number from 1 to 65535' })
  .min(1, { error: 'Must be a whole number from 1 to 65535' })
  .max(65535, { error: 'Must be a whole number from 1 to 65535' })

/** A Linux interface name: at most 15 bytes, no slash or white space. */
export const InterfaceName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,15}$/, { error: 'Must be an interface name: 1–15 letters, digits, ".", "_" or "-"' })
