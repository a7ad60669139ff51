/** Tunnel servers and their clients, as the port forward and agent pages need them (read only for now). */

import { useQuery } from '@tanstack/react-query'
import type { TunnelClient, TunnelServer } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { ALL_ROWS, type Page } from './Page.ts'

export const tunnelServersQueryKey = ['tunnel-servers'] as const
export const tunnelClientsQueryKey = ['tunnel-clients'] as const

export function useTunnelServers() {
  return useQuery({
    queryKey: tunnelServersQueryKey,
    queryFn: ({ signal }) => apiFetch<Page<TunnelServer>>('/tunnel-servers', { query: { limit: ALL_ROWS }, signal }),
  })
}

export function useTunnelClients(tunnelServerId: string | undefined) {
  return useQuery({
    queryKey: [...tunnelClientsQueryKey, { tunnelServerId }],
    queryFn: ({ signal }) =>
      apiFetch<Page<TunnelClient>>('/tunnel-clients', { query: { tunnelServerId, limit: ALL_ROWS }, signal }),
    enabled: tunnelServerId !== undefined,
  })
}

/** One tunnel server; nothing is fetched while `id` is null (an agent not linked to one). */
export function useTunnelServer(id: string | null) {
  return useQuery({
    queryKey: [...tunnelServersQueryKey, id],
    queryFn: ({ signal }) => apiFetch<TunnelServer>(`/tunnel-servers/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: id !== null,
  })
}

/** One tunnel client; nothing is fetched while `id` is null. */
export function useTunnelClient(id: string | null) {
  return useQuery({
    queryKey: [...tunnelClientsQueryKey, id],
    queryFn: ({ signal }) => apiFetch<TunnelClient>(`/tunnel-clients/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: id !== null,
  })
}
