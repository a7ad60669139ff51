/**
 * Renders an interface and its peers as the file `wg syncconf` reads (a 0600 file, removed right
 * after, because it holds the private key and preshared keys). Pure: the keys are passed in.
 */
import type { WgConfig } from './wantedWgPeers.ts'

/** A peer's name as a comment on one line: a newline in a name must not become a config line. */
function comment(name: string): string {
  const clean = name.replace(/\p{Cc}/gu, ' ').trim()
  return clean ? `# ${clean}` : ''
}

export function renderWgConf(wg: WgConfig, privateKey: string): string {
  const lines = ['[Interface]', `PrivateKey = ${privateKey}`]
  // No ListenPort (a client): the kernel picks one and `syncconf` leaves it as it is.
  if (wg.listenPort !== null) lines.push(`ListenPort = ${wg.listenPort}`)
  for (const peer of wg.peers) {
    lines.push('', '[Peer]')
    const c = comment(peer.name)
    if (c) lines.push(c)
    lines.push(`PublicKey = ${peer.publicKey}`)
    // syncconf removes a preshared key that the file does not name, so absence means "none".
    if (peer.presharedKey) lines.push(`PresharedKey = ${peer.presharedKey}`)
    if (peer.allowedIps.length > 0) lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`)
    if (peer.endpoint !== null) lines.push(`Endpoint = ${peer.endpoint}`)
    if (peer.persistentKeepalive > 0) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`)
  }
  return `${lines.join('\n')}\n`
}
