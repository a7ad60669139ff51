/** Tunnel servers and their clients: list, read, and change their settings. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { TunnelClient, TunnelClientUpdate, TunnelServer, TunnelServerUpdate } from '@wirewarp/protocol'
import { agentRootQueryKey, agentsQueryKey } from './agentQueryKeys.ts'
import { apiFetch } from './apiFetch.ts'
import { ALL_ROWS, type Page } from './Page.ts'
import { tunnelServerStatusRootKey } from './tunnelServerStatus.ts'

export const tunnelServersQueryKey = ['tunnel-servers'] as const
export const tunnelClientsQueryKey = ['tunnel-clients'] as const

/** Tunnel state follows the handshakes servers report every 30 s; no live event carries it. */
const TUNNEL_STATE_REFRESH_MS = 15_000

const serverPath = (id: string) => `/tunnel-servers/${encodeURIComponent(id)}`
const clientPath = (id: string) => `/tunnel-clients/${encodeURIComponent(id)}`

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
    refetchInterval: TUNNEL_STATE_REFRESH_MS,
  })
}

/** Every tunnel client, of any server or of none (the Tunnels page groups them itself). */
export function useAllTunnelClients() {
  return useQuery({
    queryKey: [...tunnelClientsQueryKey, 'all'],
    queryFn: ({ signal }) => apiFetch<Page<TunnelClient>>('/tunnel-clients', { query: { limit: ALL_ROWS }, signal }),
    refetchInterval: TUNNEL_STATE_REFRESH_MS,
  })
}

/** One tunnel server; nothing is fetched while `id` is null (an agent not linked to one). */
export function useTunnelServer(id: string | null) {
  return useQuery({
    queryKey: [...tunnelServersQueryKey, id],
    queryFn: ({ signal }) => apiFetch<TunnelServer>(serverPath(id ?? ''), { signal }),
    enabled: id !== null,
  })
}

/** One tunnel client; nothing is fetched while `id` is null. */
export function useTunnelClient(id: string | null) {
  return useQuery({
    queryKey: [...tunnelClientsQueryKey, id],
    queryFn: ({ signal }) => apiFetch<TunnelClient>(clientPath(id ?? ''), { signal }),
    enabled: id !== null,
    refetchInterval: TUNNEL_STATE_REFRESH_MS,
  })
}

function useInvalidateTunnels() {
  const queryClient = useQueryClient()
  // A change to one side shows on the other (a client's server, a server's name in client lists), and
  // bumps the desired revision of the agents involved, which no live event announces.
  return () =>
    Promise.all(
      [tunnelServersQueryKey, tunnelClientsQueryKey, tunnelServerStatusRootKey, agentsQueryKey, agentRootQueryKey].map(
        (queryKey) => queryClient.invalidateQueries({ queryKey }),
      ),
    )
}

export function useUpdateTunnelServer() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateTunnels()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: TunnelServerUpdate }) =>
      apiFetch<TunnelServer>(serverPath(id), { method: 'PATCH', body: patch }),
    onSuccess: (saved) => {
      // The edit page compares its fields with this: it must be the saved server before any refetch ends.
      queryClient.setQueryData([...tunnelServersQueryKey, saved.id], saved)
      return invalidate()
    },
  })
}

export function useUpdateTunnelClient() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateTunnels()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: TunnelClientUpdate }) =>
      apiFetch<TunnelClient>(clientPath(id), { method: 'PATCH', body: patch }),
    onSuccess: (saved) => {
      queryClient.setQueryData([...tunnelClientsQueryKey, saved.id], saved)
      return invalidate()
    },
  })
}
