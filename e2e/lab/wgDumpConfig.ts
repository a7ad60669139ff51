/**
 * Reads `wg show IFACE dump` down to its configuration: keys, ports, endpoints, allowed IPs and
 * keepalives, without the handshake times and byte counters that change with every keepalive,
 * and with the private key masked. Two dumps of an unchanged interface compare equal. Pure.
 */

export interface WgDumpConfig {
  iface: { publicKey: string; listenPort: string; fwmark: string }
  peers: { publicKey: string; presharedKey: string; endpoint: string; allowedIps: string; keepalive: string }[]
}

export function wgDumpConfig(dump: string): WgDumpConfig {
  const [first = '', ...rest] = dump.trim().split('\n')
  // Interface: private-key public-key listen-port fwmark
  const [, publicKey = '', listenPort = '', fwmark = ''] = first.split('\t')
  return {
    iface: { publicKey, listenPort, fwmark },
    peers: rest
      .map((line) => line.split('\t'))
      // Peer: public-key preshared-key endpoint allowed-ips latest-handshake rx tx keepalive
      .map(([publicKey = '', presharedKey = '', endpoint = '', allowedIps = '', , , , keepalive = '']) => ({
        publicKey,
        presharedKey: presharedKey === '(none)' ? presharedKey : '(set)',
        endpoint,
        allowedIps,
        keepalive,
      }))
      .sort((a, b) => a.publicKey.localeCompare(b.publicKey)),
  }
}
