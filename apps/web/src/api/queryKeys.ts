/**
 * Every cache key of the dashboard, one factory per resource, so queries and the invalidations that
 * refresh them cannot drift apart. Keys nest: `all` ⊃ `lists` ⊃ `list(…)`, and `all` ⊃ `details` ⊃
 * `detail(id)` ⊃ what hangs off one item. Invalidating a prefix refreshes everything under it, so a
 * live event can update one agent without refetching the lists, and `agents.details` refreshes every
 * agent page at once.
 */
import type { AuditFilters } from './auditLog.ts'

interface PageParams {
  limit: number
  offset: number
}

function resource<const Name extends string>(name: Name) {
  const all = [name] as const
  const lists = [name, 'list'] as const
  const details = [name, 'detail'] as const
  return {
    all,
    lists,
    details,
    detail: (id: string) => [...details, id] as const,
  }
}

const agents = resource('agents')
const tunnelServers = resource('tunnel-servers')
const tunnelClients = resource('tunnel-clients')
const portForwards = resource('port-forwards')
const users = resource('users')
const apiTokens = resource('api-tokens')
const auditLog = resource('audit-log')
const serviceTemplates = resource('service-templates')
const registrationTokens = resource('registration-tokens')
const tunnelServerStatus = resource('tunnel-server-status')
const devices = resource('devices')
const rules = resource('rules')

export const queryKeys = {
  me: ['auth', 'me'] as const,
  // Counts worked out on the server from everything else: invalidated by any change that moves them.
  overview: { all: ['overview'] as const },
  agents: {
    ...agents,
    list: (page: PageParams) => [...agents.lists, page] as const,
    commands: (id: string) => [...agents.detail(id), 'commands'] as const,
    metrics: (id: string) => [...agents.detail(id), 'metrics'] as const,
  },
  tunnelServers: {
    ...tunnelServers,
    list: () => [...tunnelServers.lists, 'every'] as const,
  },
  // Its own resource, not under a tunnel server's detail: it changes with every apply and is
  // refetched on its own, while the server's settings stay put.
  tunnelServerStatus,
  tunnelClients: {
    ...tunnelClients,
    /** One server's clients (undefined: not chosen yet, so nothing is fetched). */
    list: (tunnelServerId: string | undefined) => [...tunnelClients.lists, { tunnelServerId }] as const,
    /** Every client, of any server or of none. */
    every: () => [...tunnelClients.lists, 'every'] as const,
  },
  portForwards: {
    ...portForwards,
    list: (filters: { tunnelServerId: string | undefined } & PageParams) => [...portForwards.lists, filters] as const,
  },
  users: {
    ...users,
    list: (page: PageParams) => [...users.lists, page] as const,
  },
  apiTokens: {
    ...apiTokens,
    list: (page: PageParams) => [...apiTokens.lists, page] as const,
  },
  auditLog: {
    ...auditLog,
    list: (filters: AuditFilters) => [...auditLog.lists, filters] as const,
    /** Every action an entry can have (the filter's picker). */
    actions: () => [...auditLog.all, 'actions'] as const,
  },
  serviceTemplates: {
    ...serviceTemplates,
    list: () => [...serviceTemplates.lists, 'every'] as const,
  },
  devices: {
    ...devices,
    list: (filters: { userId: string | undefined } & PageParams) => [...devices.lists, filters] as const,
  },
  /** The tunnel servers a device can be added to, as every user sees them. */
  vpnServers: ['vpn-servers'] as const,
  vpnSettings: ['settings', 'vpn'] as const,
  rules: {
    ...rules,
    list: (page: PageParams) => [...rules.lists, page] as const,
    /** The order one user's traffic on one server meets the rules; under `all`, so any rule change refreshes it. */
    effective: (userId: string, tunnelServerId: string) =>
      [...rules.all, 'effective', { userId, tunnelServerId }] as const,
  },
  registrationTokens: {
    ...registrationTokens,
    list: () => [...registrationTokens.lists, 'newest'] as const,
  },
}
