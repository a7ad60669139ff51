/**
 * IP addresses and prefixes as numbers: parsing, the canonical text `ip` and `wg` print, and
 * whether one network covers another. Pure, so renderers and appliers compare what they want with
 * what the tools report without spelling differences (`fd00:0::1` and `fd00::1`).
 */

export interface Prefixed {
  family: 4 | 6
  /** The address as a number; host bits are kept (`10.0.0.1/24` is an interface address). */
  value: bigint
  prefix: number
}

const BITS = { 4: 32, 6: 128 } as const

function parseV4(text: string): bigint | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  let v = 0n
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null
    v = (v << 8n) | BigInt(Number(p))
  }
  return v
}

function parseV6(text: string): bigint | null {
  let body = text.toLowerCase()
  const lastColon = body.lastIndexOf(':')
  // An embedded IPv4 address (`::ffff:192.0.2.1`) stands for the last two groups.
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(body.slice(lastColon + 1))
    if (v4 === null) return null
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = body.split('::')
  if (halves.length > 2) return null
  const groups = (h: string) => (h === '' ? [] : h.split(':'))
  const head = groups(halves[0]!)
  const rest = halves.length === 2 ? groups(halves[1]!) : []
  const explicit = head.length + rest.length
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null
  let v = 0n
  for (const g of [...head, ...Array<string>(8 - explicit).fill('0'), ...rest]) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null
    v = (v << 16n) | BigInt(Number.parseInt(g, 16))
  }
  return v
}

export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  if (text.includes(':')) {
    const v = parseV6(text)
    return v === null ? null : { family: 6, value: v }
  }
  const v = parseV4(text)
  return v === null ? null : { family: 4, value: v }
}

export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.')
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((value >> s) & 0xffffn))
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host prefix). Null when invalid. */
export function parsePrefixed(text: string): Prefixed | null {
  const slash = text.indexOf('/')
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash))
  if (!ip) return null
  const max = BITS[ip.family]
  if (slash < 0) return { ...ip, prefix: max }
  const p = text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null
  return { ...ip, prefix: Number(p) }
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(BITS[family])
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n)
}

/** `10.0.0.1/24` → `10.0.0.0/24`. */
export function networkOf(p: Prefixed): Prefixed {
  return { ...p, value: p.value & mask(p.family, p.prefix) }
}

/** True when every address of `inner` lies in `outer`. */
export function covers(outer: Prefixed, inner: Prefixed): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false
  const m = mask(outer.family, outer.prefix)
  return (outer.value & m) === (inner.value & m)
}

export function formatPrefixed(p: Prefixed): string {
  return `${formatIp(p.family, p.value)}/${p.prefix}`
}

/** The canonical `addr/prefix` text of a prefix or address; the input unchanged when invalid. */
export function canonicalPrefixed(text: string): string {
  const p = parsePrefixed(text)
  return p ? formatPrefixed(p) : text
}

/** The canonical text of an address; the input unchanged when invalid. */
export function canonicalIp(text: string): string {
  const ip = parseIp(text)
  return ip ? formatIp(ip.family, ip.value) : text
}

export function familyOf(text: string): 4 | 6 | null {
  return parsePrefixed(text)?.family ?? null
}
