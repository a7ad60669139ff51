/**
 * Parses `wg show NAME dump`: the interface line, then one tab-separated line per peer. Pure.
 * The interface line holds the private key; keep the parsed value away from logs and replies.
 */

export interface DumpPeer {
  publicKey: string
  presharedKey: string | null
  /** `ip:port` or `[ip6]:port`, learned or configured; null when unknown. */
  endpoint: string | null
  allowedIps: string[]
  /** Seconds since the epoch; 0 = never. */
  latestHandshake: number
  rxBytes: number
  txBytes: number
  /** 0 = off. */
  persistentKeepalive: number
}

export interface WgDump {
  privateKey: string | null
  publicKey: string | null
  listenPort: number
  peers: DumpPeer[]
}

const none = (v: string | undefined): string | null => (v === undefined || v === '(none)' ? null : v)

export function parseWgDump(text: string): WgDump {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const head = (lines[0] ?? '').split('\t')
  const peers = lines.slice(1).map((line): DumpPeer => {
    const [publicKey = '', psk, endpoint, allowed, handshake, rx, tx, keepalive] = line.split('\t')
    return {
      publicKey,
      presharedKey: none(psk),
      endpoint: none(endpoint),
      allowedIps: allowed && allowed !== '(none)' ? allowed.split(',') : [],
      latestHandshake: Number(handshake) || 0,
      rxBytes: Number(rx) || 0,
      txBytes: Number(tx) || 0,
      persistentKeepalive: keepalive === 'off' ? 0 : Number(keepalive) || 0,
    }
  })
  return { privateKey: none(head[0]), publicKey: none(head[1]), listenPort: Number(head[2]) || 0, peers }
}
