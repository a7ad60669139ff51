/** Agents: list, read, delete, one-shot commands and their history, metrics samples, holding and updating. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Agent,
  AgentUpdateBatch,
  type AgentUpdateCreate,
  type CommandCreate,
  CommandLogEntry,
  MetricPointList,
  Page,
} from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'
import { upsertCommand } from './upsertCommand.ts'

/** How many commands the history shows: the newest, as the server orders them. */
export const COMMANDS_SHOWN = 50
// At the agent's default of one sample every 30 s, the last hour.
const METRICS_SHOWN = 120

const AgentPage = Page(Agent)
const CommandPage = Page(CommandLogEntry)

const agentPath = (id: string) => `/agents/${encodeURIComponent(id)}`

export function useAgents(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.agents.list(page),
    queryFn: ({ signal }) => apiFetch('/agents', { schema: AgentPage, query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

/** One agent; nothing is fetched while `id` is null (not a valid id). */
export function useAgent(id: string | null) {
  return useQuery({
    queryKey: queryKeys.agents.detail(id ?? ''),
    queryFn: ({ signal }) => apiFetch(agentPath(id ?? ''), { schema: Agent, signal }),
    enabled: id !== null,
  })
}

export function useAgentCommands(id: string) {
  return useQuery({
    queryKey: queryKeys.agents.commands(id),
    queryFn: ({ signal }) =>
      apiFetch(`${agentPath(id)}/commands`, { schema: CommandPage, query: { limit: COMMANDS_SHOWN }, signal }),
  })
}

export function useAgentMetrics(id: string) {
  return useQuery({
    queryKey: queryKeys.agents.metrics(id),
    queryFn: ({ signal }) =>
      apiFetch(`${agentPath(id)}/metrics`, { schema: MetricPointList, query: { limit: METRICS_SHOWN }, signal }),
  })
}

export function useSendCommand(agentId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: CommandCreate) =>
      apiFetch(`${agentPath(agentId)}/commands`, { method: 'POST', body, schema: CommandLogEntry }),
    // The live stream usually got here first; this covers a dashboard whose stream is reconnecting.
    onSuccess: (entry) => upsertCommand(queryClient, entry),
  })
}

export function useDeleteAgent() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch(agentPath(id), { method: 'DELETE' }),
    // The server deletes the agent's tunnel server or client and their forwards with it.
    onSuccess: () =>
      Promise.all(
        [
          queryKeys.agents.lists,
          queryKeys.tunnelServers.all,
          queryKeys.tunnelClients.all,
          queryKeys.portForwards.all,
        ].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}

/** Sends the `update` command: the agent downloads the newest release for its build and restarts on it. */
export function useUpdateAgent(agentId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: AgentUpdateCreate = {}) =>
      apiFetch(`${agentPath(agentId)}/update`, { method: 'POST', body, schema: CommandLogEntry }),
    // The agent's row ("updating", then the outcome it reports) arrives by the live stream. No
    // refetch here: one answered after the outcome's event would put "updating" back.
    onSuccess: (entry) => upsertCommand(queryClient, entry),
  })
}

/** "Update all outdated": the server updates them one at a time in the background. */
export function useUpdateOutdated() {
  return useMutation({
    // Each agent's progress arrives by the live stream, as for one update.
    mutationFn: () => apiFetch('/agents/update-outdated', { method: 'POST', body: {}, schema: AgentUpdateBatch }),
  })
}

/** Holds an agent at its version ("update all outdated" skips it), or releases it. */
export function useHoldVersion(agentId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (holdVersion: boolean) =>
      apiFetch(agentPath(agentId), { method: 'PATCH', body: { holdVersion }, schema: Agent }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.agents.all }),
  })
}
