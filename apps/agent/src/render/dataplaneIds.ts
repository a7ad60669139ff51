/**
 * The fixed numbers and names by which the linux driver recognises what it created on a host:
 * its nftables table, routing table, marks, `ip rule` priorities and route protocol. Anything
 * without these marks belongs to someone else and is never changed or removed.
 *
 * | what | value | where |
 * |---|---|---|
 * | nftables table | `inet wirewarp` | both modes; replaced whole in one `nft -f` transaction |
 * | routing table | 51820 | client: `default dev WG` |
 * | fwmark / connmark | 0x5157 | client: connections that came in through the tunnel |
 * | ct mark | 0x1 | server: forwards whose source is masqueraded (no real client IP) |
 * | rule priority 100 | `lookup main suppress_prefixlength 0` | client: specific routes win |
 * | rule priority 5000 | `from LAN lookup 51820` | client gateway: LAN egress via the server |
 * | rule priority 5100 | `fwmark 0x5157 lookup 51820` | client: replies go back through the tunnel |
 * | rule priority 5200 | `iif lo ipproto udp sport P lookup 51820` | client: local UDP services |
 * | route protocol | 87 | every route the driver adds (`proto 87` in `ip route`) |
 */

export const NFT_TABLE = 'wirewarp'
export const ROUTING_TABLE = 51820
export const TUNNEL_MARK = 0x5157
export const MASQUERADE_MARK = 0x1
/** Not in iproute2's rt_protos list, so no routing daemon uses it. */
export const ROUTE_PROTOCOL = 87

export const RULE_PRIORITY = {
  suppressDefault: 100,
  gatewayLan: 5000,
  tunnelMark: 5100,
  localUdp: 5200,
} as const

export const OUR_RULE_PRIORITIES: readonly number[] = Object.values(RULE_PRIORITY)

/** `0x00005157`: the form `nft list` prints marks in, so text and listing agree. */
export function hexMark(mark: number): string {
  return `0x${mark.toString(16).padStart(8, '0')}`
}
