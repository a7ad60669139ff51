/** Names of forward protocols in selects; values are the API's. */
import type { ForwardProtocol } from '@wirewarp/protocol'

export const protocolLabels: Record<ForwardProtocol, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  both: 'TCP and UDP',
}
