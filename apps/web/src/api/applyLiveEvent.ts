/** Folds one live event from /api/v1/events into the cached queries, so open pages change in place. */
import type { QueryClient } from '@tanstack/react-query'
import type { Agent, LiveEvent } from '@wirewarp/protocol'
import { overviewQueryKey } from './overview.ts'
import type { Page } from './Page.ts'
import { queryKeys } from './queryKeys.ts'
import { upsertCommand } from './upsertCommand.ts'

export function applyLiveEvent(queryClient: QueryClient, event: LiveEvent): void {
  switch (event.type) {
    case 'agent':
      applyAgent(queryClient, event.agent)
      break
    case 'agent_deleted':
      applyAgentDeleted(queryClient, event.agentId)
      break
    case 'command':
      upsertCommand(queryClient, event.command)
      break
  }
}

/** After the stream was down, events may have been missed: refetch what they would have changed. */
export function invalidateLiveData(queryClient: QueryClient): void {
  for (const queryKey of [
    queryKeys.agents.all,
    queryKeys.tunnelServers.all,
    queryKeys.tunnelClients.all,
    queryKeys.tunnelServerStatus.all,
    overviewQueryKey,
  ]) {
    void queryClient.invalidateQueries({ queryKey })
  }
}

function applyAgent(queryClient: QueryClient, agent: Agent): void {
  const cached = queryClient.getQueryData<Agent>(queryKeys.agents.detail(agent.id))
  const before = cached ?? findListed(queryClient, agent.id)
  if (cached) queryClient.setQueryData(queryKeys.agents.detail(agent.id), agent)

  let listed = false
  for (const [queryKey, page] of queryClient.getQueriesData<Page<Agent>>({ queryKey: queryKeys.agents.lists })) {
    if (!page?.items.some((a) => a.id === agent.id)) continue
    listed = true
    queryClient.setQueryData<Page<Agent>>(queryKey, {
      ...page,
      items: page.items.map((a) => (a.id === agent.id ? agent : a)),
    })
  }
  if (!listed) {
    // A new agent (or one on a page not cached): the server knows where it sorts. It used a token, too.
    void queryClient.invalidateQueries({ queryKey: queryKeys.agents.lists })
    void queryClient.invalidateQueries({ queryKey: queryKeys.registrationTokens.all })
  }

  // Tunnel servers and clients carry their agent's status (the port forwards page shows it).
  if (!before || before.status !== agent.status) {
    void queryClient.invalidateQueries({ queryKey: queryKeys.tunnelServers.all })
    void queryClient.invalidateQueries({ queryKey: queryKeys.tunnelClients.all })
  }
  // A server agent's event is its status or an applied revision: both change which forwards are live.
  // The status is derived on the server (per forward), so refetch it rather than patch it here.
  if (agent.tunnelServerId) {
    void queryClient.invalidateQueries({ queryKey: queryKeys.tunnelServerStatus.detail(agent.tunnelServerId) })
  }
  // Any agent's status or applied revision changes the overview's counts; it is worked out on the server.
  void queryClient.invalidateQueries({ queryKey: overviewQueryKey })
}

function applyAgentDeleted(queryClient: QueryClient, agentId: string): void {
  queryClient.setQueriesData<Page<Agent>>({ queryKey: queryKeys.agents.lists }, (page) =>
    page?.items.some((a) => a.id === agentId)
      ? { ...page, items: page.items.filter((a) => a.id !== agentId), total: page.total - 1 }
      : page,
  )
  // A later agent may move up onto this page; an open detail page learns the agent is gone.
  for (const queryKey of [queryKeys.agents.lists, queryKeys.agents.detail(agentId)]) {
    void queryClient.invalidateQueries({ queryKey })
  }
  // Deleting an agent deletes its tunnel server or client, and their forwards.
  for (const queryKey of [
    queryKeys.tunnelServers.all,
    queryKeys.tunnelClients.all,
    queryKeys.portForwards.all,
    queryKeys.tunnelServerStatus.all,
    overviewQueryKey,
  ]) {
    void queryClient.invalidateQueries({ queryKey })
  }
}

function findListed(queryClient: QueryClient, agentId: string): Agent | undefined {
  for (const [, page] of queryClient.getQueriesData<Page<Agent>>({ queryKey: queryKeys.agents.lists })) {
    const found = page?.items.find((a) => a.id === agentId)
    if (found) return found
  }
  return undefined
}
