/** Tunnel servers and their clients: list, read, and change their settings. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Page, TunnelClient, type TunnelClientUpdate, TunnelServer, type TunnelServerUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { ALL_ROWS } from './Page.ts'
import { queryKeys } from './queryKeys.ts'

const ServerPage = Page(TunnelServer)
const ClientPage = Page(TunnelClient)

/** Tunnel state follows the handshakes servers report every 30 s; no live event carries it. */
const TUNNEL_STATE_REFRESH_MS = 15_000

const serverPath = (id: string) => `/tunnel-servers/${encodeURIComponent(id)}`
const clientPath = (id: string) => `/tunnel-clients/${encodeURIComponent(id)}`

export function useTunnelServers() {
  return useQuery({
    queryKey: queryKeys.tunnelServers.list(),
    queryFn: ({ signal }) => apiFetch('/tunnel-servers', { schema: ServerPage, query: { limit: ALL_ROWS }, signal }),
  })
}

export function useTunnelClients(tunnelServerId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.tunnelClients.list(tunnelServerId),
    queryFn: ({ signal }) =>
      apiFetch('/tunnel-clients', { schema: ClientPage, query: { tunnelServerId, limit: ALL_ROWS }, signal }),
    enabled: tunnelServerId !== undefined,
    refetchInterval: TUNNEL_STATE_REFRESH_MS,
  })
}

/** Every tunnel client, of any server or of none (the Tunnels page groups them itself). */
export function useAllTunnelClients() {
  return useQuery({
    queryKey: queryKeys.tunnelClients.every(),
    queryFn: ({ signal }) => apiFetch('/tunnel-clients', { schema: ClientPage, query: { limit: ALL_ROWS }, signal }),
    refetchInterval: TUNNEL_STATE_REFRESH_MS,
  })
}

/** One tunnel server; nothing is fetched while `id` is null (an agent not linked to one). */
export function useTunnelServer(id: string | null) {
  return useQuery({
    queryKey: queryKeys.tunnelServers.detail(id ?? ''),
    queryFn: ({ signal }) => apiFetch(serverPath(id ?? ''), { schema: TunnelServer, signal }),
    enabled: id !== null,
  })
}

/** One tunnel client; nothing is fetched while `id` is null. */
export function useTunnelClient(id: string | null) {
  return useQuery({
    queryKey: queryKeys.tunnelClients.detail(id ?? ''),
    queryFn: ({ signal }) => apiFetch(clientPath(id ?? ''), { schema: TunnelClient, signal }),
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
      [
        queryKeys.tunnelServers.all,
        queryKeys.tunnelClients.all,
        queryKeys.tunnelServerStatus.all,
        queryKeys.agents.all,
      ].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
    )
}

export function useUpdateTunnelServer() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateTunnels()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: TunnelServerUpdate }) =>
      apiFetch(serverPath(id), { method: 'PATCH', body: patch, schema: TunnelServer }),
    onSuccess: (saved) => {
      // The edit page compares its fields with this: it must be the saved server before any refetch ends.
      queryClient.setQueryData(queryKeys.tunnelServers.detail(saved.id), saved)
      return invalidate()
    },
  })
}

export function useUpdateTunnelClient() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateTunnels()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: TunnelClientUpdate }) =>
      apiFetch(clientPath(id), { method: 'PATCH', body: patch, schema: TunnelClient }),
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.tunnelClients.detail(saved.id), saved)
      return invalidate()
    },
  })
}
