/** Desired states for tests: a VPS with one homelab peer and a forward, and a detached client. */
import { type ClientState, EMPTY_VPN_STATE, type ServerState } from '@wirewarp/protocol'

/** The server epoch of the sample states unless a test names another. */
export const SAMPLE_EPOCH = 'epoch-a'

export function serverState(revision: number, epoch = SAMPLE_EPOCH): ServerState {
  return {
    mode: 'server',
    epoch,
    revision,
    wireguard: {
      name: 'wg0',
      addresses: ['10.99.0.1/24'],
      listenPort: 51820,
      mtu: 1420,
      peers: [
        {
          name: 'homelab',
          publicKey: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=',
          allowedIps: ['10.99.0.2/32'],
          endpoint: null,
          persistentKeepalive: 0,
        },
      ],
    },
    publicInterface: null,
    publicIp: '203.0.113.10',
    tunnelNetworks: ['10.99.0.0/24'],
    forwards: [
      {
        id: 'f1',
        protocol: 'tcp',
        publicPort: 25565,
        publicPortEnd: null,
        destinationIp: '192.168.1.20',
        destinationPort: 25565,
        via: '10.99.0.2',
        preserveClientIp: true,
      },
    ],
    masqueradeSources: [],
    vpn: EMPTY_VPN_STATE,
  }
}

export function clientState(revision: number, epoch = SAMPLE_EPOCH): ClientState {
  return {
    mode: 'client',
    epoch,
    revision,
    wireguard: null,
    tunnelNetworks: [],
    inboundForwards: [],
    gateway: { enabled: false, lanNetworks: [], lanIp: null },
    deviceNetworks: [],
  }
}
