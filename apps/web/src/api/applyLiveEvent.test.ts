/** Live events land in the cache under the keys the pages read (queryKeys.ts), lists and details alike. */
import { QueryClient } from '@tanstack/react-query'
import type { Agent, CommandLogEntry } from '@wirewarp/protocol'
import { describe, expect, test } from 'vitest'
import { applyLiveEvent } from './applyLiveEvent.ts'
import type { Page } from './Page.ts'
import { queryKeys } from './queryKeys.ts'

const AGENT_ID = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'
const SERVER_ID = '0b7e0d52-3c2f-4a8e-8a55-2f1e9c4b7d10'

const agent = (status: Agent['status']): Agent => ({
  id: AGENT_ID,
  name: 'vps-1',
  kind: 'server',
  status,
  hostname: null,
  version: null,
  os: null,
  arch: null,
  publicIp: null,
  capabilities: {},
  desiredRevision: 1,
  appliedRevision: 1,
  lastApplyError: null,
  lastAppliedAt: null,
  lastSeenAt: null,
  createdAt: '2026-01-30T09:00:00.000Z',
  tunnelServerId: SERVER_ID,
  tunnelClientId: null,
  commands: [],
  keyConflict: null,
  host: null,
  uninstalledAt: null,
  latestVersion: null,
  outdated: false,
  holdVersion: false,
  update: null,
  lastRepair: null,
})

const page = <T>(items: T[]): Page<T> => ({ items, total: items.length, limit: 50, offset: 0 })

function cache() {
  const queryClient = new QueryClient()
  const listKey = queryKeys.agents.list({ limit: 50, offset: 0 })
  queryClient.setQueryData(listKey, page([agent('pending')]))
  queryClient.setQueryData(queryKeys.agents.detail(AGENT_ID), agent('pending'))
  queryClient.setQueryData(queryKeys.agents.commands(AGENT_ID), page<CommandLogEntry>([]))
  queryClient.setQueryData(queryKeys.tunnelServerStatus.detail(SERVER_ID), { stale: false })
  queryClient.setQueryData(queryKeys.tunnelServers.list(), page([]))
  return { queryClient, listKey }
}

describe('applyLiveEvent', () => {
  test('an agent event updates its list row and its page in place', () => {
    const { queryClient, listKey } = cache()
    applyLiveEvent(queryClient, { type: 'agent', agent: agent('connected') })
    expect(queryClient.getQueryData<Page<Agent>>(listKey)?.items[0]?.status).toBe('connected')
    expect(queryClient.getQueryData<Agent>(queryKeys.agents.detail(AGENT_ID))?.status).toBe('connected')
    // Lists were patched, not refetched; the status changed, so tunnels and the server's status refetch.
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(false)
    expect(queryClient.getQueryState(queryKeys.tunnelServers.list())?.isInvalidated).toBe(true)
    expect(queryClient.getQueryState(queryKeys.tunnelServerStatus.detail(SERVER_ID))?.isInvalidated).toBe(true)
  })

  test('a command event lands in its agent’s history', () => {
    const { queryClient } = cache()
    const command: CommandLogEntry = {
      id: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
      agentId: AGENT_ID,
      command: 'ping',
      params: {},
      status: 'pending',
      result: null,
      error: null,
      requestedBy: 'admin@example.com',
      createdAt: '2026-01-31T10:00:00.000Z',
      finishedAt: null,
    }
    applyLiveEvent(queryClient, { type: 'command', command })
    expect(queryClient.getQueryData<Page<CommandLogEntry>>(queryKeys.agents.commands(AGENT_ID))?.items).toEqual([
      command,
    ])
  })

  test('a deleted agent leaves the list and its page refetches (to learn it is gone)', () => {
    const { queryClient, listKey } = cache()
    applyLiveEvent(queryClient, { type: 'agent_deleted', agentId: AGENT_ID })
    expect(queryClient.getQueryData<Page<Agent>>(listKey)?.items).toEqual([])
    expect(queryClient.getQueryState(queryKeys.agents.detail(AGENT_ID))?.isInvalidated).toBe(true)
  })
})
