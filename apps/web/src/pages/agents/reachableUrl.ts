/**
 * Whether a host elsewhere can use the server URL in an install command: a VPS cannot reach a
 * loopback or private address, and over plain http its token crosses the internet in clear.
 */
export function unreachableReason(command: string): string | null {
  const match = /https?:\/\/[^\s'"]+/.exec(command)
  if (!match) return null
  let url: URL
  try {
    url = new URL(match[0])
  } catch {
    return null
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1')
    return `it points at ${host}, this machine itself`
  if (
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^169\.254\./.test(host) ||
    /^f[cd][0-9a-f]{2}:/.test(host) ||
    /^fe80:/.test(host)
  )
    return `${host} is a private address`
  if (url.protocol === 'http:') return 'it uses plain http, so the token would cross the network unencrypted'
  return null
}
