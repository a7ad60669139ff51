/** How forwards and template ports read in tables: "27015–27020", "192.168.1.10:27015–27020". */

export function formatPortRange(start: number, end: number | null | undefined): string {
  return end != null && end !== start ? `${start}–${end}` : `${start}`
}

/** The destination a forward sends to; a range maps onto a destination range of the same length. */
export function formatDestination(f: {
  destinationIp: string
  destinationPort: number
  publicPort: number
  publicPortEnd: number | null
}): string {
  const host = f.destinationIp.includes(':') ? `[${f.destinationIp}]` : f.destinationIp
  const length = f.publicPortEnd != null ? f.publicPortEnd - f.publicPort : 0
  return `${host}:${formatPortRange(f.destinationPort, length > 0 ? f.destinationPort + length : null)}`
}
