/** Agents: list, read, delete, one-shot commands and their history, metrics samples. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Agent, CommandCreate, CommandLogEntry, MetricPoint } from '@wirewarp/protocol'
import { agentCommandsQueryKey, agentMetricsQueryKey, agentQueryKey, agentsQueryKey } from './agentQueryKeys.ts'
import { apiFetch } from './apiFetch.ts'
import type { Page } from './Page.ts'
import { portForwardsQueryKey } from './portForwards.ts'
import { tunnelClientsQueryKey, tunnelServersQueryKey } from './tunnels.ts'
import { upsertCommand } from './upsertCommand.ts'

/** How many commands the history shows: the newest, as the server orders them. */
export const COMMANDS_SHOWN = 50
// At the agent's default of one sample every 30 s, the last hour.
const METRICS_SHOWN = 120

const agentPath = (id: string) => `/agents/${encodeURIComponent(id)}`

export function useAgents(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...agentsQueryKey, page],
    queryFn: ({ signal }) => apiFetch<Page<Agent>>('/agents', { query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

export function useAgent(id: string) {
  return useQuery({
    queryKey: agentQueryKey(id),
    queryFn: ({ signal }) => apiFetch<Agent>(agentPath(id), { signal }),
  })
}

export function useAgentCommands(id: string) {
  return useQuery({
    queryKey: agentCommandsQueryKey(id),
    queryFn: ({ signal }) =>
      apiFetch<Page<CommandLogEntry>>(`${agentPath(id)}/commands`, { query: { limit: COMMANDS_SHOWN }, signal }),
  })
}

export function useAgentMetrics(id: string) {
  return useQuery({
    queryKey: agentMetricsQueryKey(id),
    queryFn: ({ signal }) =>
      apiFetch<{ items: MetricPoint[] }>(`${agentPath(id)}/metrics`, { query: { limit: METRICS_SHOWN }, signal }),
  })
}

export function useSendCommand(agentId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: CommandCreate) =>
      apiFetch<CommandLogEntry>(`${agentPath(agentId)}/commands`, { method: 'POST', body }),
    // The live stream usually got here first; this covers a dashboard whose stream is reconnecting.
    onSuccess: (entry) => upsertCommand(queryClient, entry),
  })
}

export function useDeleteAgent() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(agentPath(id), { method: 'DELETE' }),
    // The server deletes the agent's tunnel server or client and their forwards with it.
    onSuccess: () =>
      Promise.all(
        [agentsQueryKey, tunnelServersQueryKey, tunnelClientsQueryKey, portForwardsQueryKey].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      ),
  })
}
