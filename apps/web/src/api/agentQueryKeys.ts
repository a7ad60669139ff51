/**
 * Cache keys of agent data. List pages live under ['agents', page]; one agent and everything about
 * it under ['agent', id, …], so a live event can update an agent without touching the lists, and
 * invalidating ['agent'] refreshes every agent page at once.
 */
export const agentsQueryKey = ['agents'] as const
export const agentRootQueryKey = ['agent'] as const
export const agentQueryKey = (id: string) => ['agent', id] as const
export const agentCommandsQueryKey = (id: string) => ['agent', id, 'commands'] as const
export const agentMetricsQueryKey = (id: string) => ['agent', id, 'metrics'] as const
