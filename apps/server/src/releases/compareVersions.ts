/** Orders two release versions (1.2.3, 1.2.3-rc.1) by semver precedence; build metadata is not allowed by ReleaseVersion. */

/** Negative when `a` is older than `b`, positive when newer, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = splitOnce(a, '-')
  const [coreB = '', preB] = splitOnce(b, '-')
  const na = coreA.split('.').map(Number)
  const nb = coreB.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  // A pre-release is older than its release: 1.0.0-rc.1 < 1.0.0.
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1
  const ia = preA.split('.')
  const ib = preB.split('.')
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const d = compareIdentifier(ia[i] ?? '', ib[i] ?? '')
    if (d !== 0) return d
  }
  return Math.sign(ia.length - ib.length)
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep)
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)]
}

// Numeric identifiers compare as numbers and sort before alphanumeric ones, which compare as ASCII.
function compareIdentifier(a: string, b: string): number {
  const numA = /^\d+$/.test(a)
  const numB = /^\d+$/.test(b)
  if (numA && numB) return Math.sign(Number(a) - Number(b))
  if (numA !== numB) return numA ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}
