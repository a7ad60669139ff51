/** Folds one live event from /api/v1/events into the cached queries, so open pages change in place. */
import type { QueryClient } from '@tanstack/react-query'
import type { Agent, LiveEvent } from '@wirewarp/protocol'
import { agentQueryKey, agentRootQueryKey, agentsQueryKey } from './agentQueryKeys.ts'
import type { Page } from './Page.ts'
import { portForwardsQueryKey } from './portForwards.ts'
import { registrationTokensQueryKey } from './registrationTokens.ts'
import { tunnelServerStatusQueryKey, tunnelServerStatusRootKey } from './tunnelServerStatus.ts'
import { tunnelClientsQueryKey, tunnelServersQueryKey } from './tunnels.ts'
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
    agentsQueryKey,
    agentRootQueryKey,
    tunnelServersQueryKey,
    tunnelClientsQueryKey,
    tunnelServerStatusRootKey,
  ]) {
    void queryClient.invalidateQueries({ queryKey })
  }
}

function applyAgent(queryClient: QueryClient, agent: Agent): void {
  const cached = queryClient.getQueryData<Agent>(agentQueryKey(agent.id))
  const before = cached ?? findListed(queryClient, agent.id)
  if (cached) queryClient.setQueryData(agentQueryKey(agent.id), agent)

  let listed = false
  for (const [queryKey, page] of queryClient.getQueriesData<Page<Agent>>({ queryKey: agentsQueryKey })) {
    if (!page?.items.some((a) => a.id === agent.id)) continue
    listed = true
    queryClient.setQueryData<Page<Agent>>(queryKey, {
      ...page,
      items: page.items.map((a) => (a.id === agent.id ? agent : a)),
    })
  }
  if (!listed) {
    // A new agent (or one on a page not cached): the server knows where it sorts. It used a token, too.
    void queryClient.invalidateQueries({ queryKey: agentsQueryKey })
    void queryClient.invalidateQueries({ queryKey: registrationTokensQueryKey })
  }

  // Tunnel servers and clients carry their agent's status (the port forwards page shows it).
  if (!before || before.status !== agent.status) {
    void queryClient.invalidateQueries({ queryKey: tunnelServersQueryKey })
    void queryClient.invalidateQueries({ queryKey: tunnelClientsQueryKey })
  }
  // A server agent's event is its status or an applied revision: both change which forwards are live.
  // The status is derived on the server (per forward), so refetch it rather than patch it here.
  if (agent.tunnelServerId) {
    void queryClient.invalidateQueries({ queryKey: tunnelServerStatusQueryKey(agent.tunnelServerId) })
  }
}

function applyAgentDeleted(queryClient: QueryClient, agentId: string): void {
  queryClient.setQueriesData<Page<Agent>>({ queryKey: agentsQueryKey }, (page) =>
    page?.items.some((a) => a.id === agentId)
      ? { ...page, items: page.items.filter((a) => a.id !== agentId), total: page.total - 1 }
      : page,
  )
  // A later agent may move up onto this page; an open detail page learns the agent is gone.
  for (const queryKey of [agentsQueryKey, agentQueryKey(agentId)]) {
    void queryClient.invalidateQueries({ queryKey })
  }
  // Deleting an agent deletes its tunnel server or client, and their forwards.
  for (const queryKey of [
    tunnelServersQueryKey,
    tunnelClientsQueryKey,
    portForwardsQueryKey,
    tunnelServerStatusRootKey,
  ]) {
    void queryClient.invalidateQueries({ queryKey })
  }
}

function findListed(queryClient: QueryClient, agentId: string): Agent | undefined {
  for (const [, page] of queryClient.getQueriesData<Page<Agent>>({ queryKey: agentsQueryKey })) {
    const found = page?.items.find((a) => a.id === agentId)
    if (found) return found
  }
  return undefined
}
