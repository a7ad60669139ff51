/**
 * What a tunnel server's agent last reported: applied revision, peers, per-forward state and traffic.
 * Not polled: live `agent` events and forward changes invalidate it; traffic figures (sampled every
 * 30 s without an event) refresh on demand.
 */

import { useQuery } from '@tanstack/react-query'
import { TunnelServerStatus } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

export function useTunnelServerStatus(id: string) {
  return useQuery({
    queryKey: queryKeys.tunnelServerStatus.detail(id),
    queryFn: ({ signal }) =>
      apiFetch(`/tunnel-servers/${encodeURIComponent(id)}/status`, { schema: TunnelServerStatus, signal }),
  })
}
