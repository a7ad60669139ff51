/**
 * What a tunnel server's agent last reported: applied revision, peers, per-forward state and traffic.
 * Not polled: live `agent` events and forward changes invalidate it; traffic figures (sampled every
 * 30 s without an event) refresh on demand.
 */

import { useQuery } from '@tanstack/react-query'
import type { TunnelServerStatus } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'

export const tunnelServerStatusRootKey = ['tunnel-server-status'] as const
export const tunnelServerStatusQueryKey = (id: string) => ['tunnel-server-status', id] as const

export function useTunnelServerStatus(id: string) {
  return useQuery({
    queryKey: tunnelServerStatusQueryKey(id),
    queryFn: ({ signal }) =>
      apiFetch<TunnelServerStatus>(`/tunnel-servers/${encodeURIComponent(id)}/status`, { signal }),
  })
}
