/** Words a failed WebSocket connection the way a person fixing it needs to read it. */

const BY_CODE: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running, and is the port right?)',
  ENOTFOUND: 'host name not found (check the URL)',
  EAI_AGAIN: 'host name lookup failed (DNS not answering?)',
  ETIMEDOUT: 'no answer (timed out)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server has a self-signed TLS certificate',
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host name",
}

export function describeSocketError(err: unknown, timeoutMs: number): string {
  const e = err as NodeJS.ErrnoException
  const code = e?.code
  if (code && BY_CODE[code]) return `${BY_CODE[code]} [${code}]`
  const message = e instanceof Error ? e.message : String(err)
  if (/handshake has timed out/i.test(message)) return `no answer within ${Math.round(timeoutMs / 1000)} s`
  const http = /Unexpected server response: (\d+)/.exec(message)
  if (http)
    return `the server answered HTTP ${http[1]} instead of opening the agent WebSocket (is this the URL of a WireWarp server?)`
  return code ? `${message} [${code}]` : message
}
