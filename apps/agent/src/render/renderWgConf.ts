/**
 * Renders an interface and its peers as the file `wg syncconf` reads (given on stdin, because it
 * holds the private key). Pure: the private key is passed in, never read here.
 */
import type { WgInterfaceState } from '@wirewarp/protocol'

/** A peer's name as a comment on one line: a newline in a name must not become a config line. */
function comment(name: string): string {
  const clean = name.replace(/\p{Cc}/gu, ' ').trim()
  return clean ? `# ${clean}` : ''
}

export function renderWgConf(wg: WgInterfaceState, privateKey: string): string {
  const lines = ['[Interface]', `PrivateKey = ${privateKey}`]
  // No ListenPort (a client): the kernel picks one and `syncconf` leaves it as it is.
  if (wg.listenPort !== null) lines.push(`ListenPort = ${wg.listenPort}`)
  for (const peer of wg.peers) {
    lines.push('', '[Peer]')
    const c = comment(peer.name)
    if (c) lines.push(c)
    lines.push(`PublicKey = ${peer.publicKey}`)
    if (peer.allowedIps.length > 0) lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`)
    if (peer.endpoint !== null) lines.push(`Endpoint = ${peer.endpoint}`)
    if (peer.persistentKeepalive > 0) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`)
  }
  return `${lines.join('\n')}\n`
}
