/** The admin audit log, filtered and paged on the server. */

import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { AuditActions, AuditEntry, Page } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

const AuditPage = Page(AuditEntry)

/** Text filters match prefixes on the server, ignoring case: "port_forward." is every forward change. */
export interface AuditFilters {
  action?: string
  actorId?: string
  actor?: string
  targetType?: string
  target?: string
  from?: string
  to?: string
  limit: number
  offset: number
}

export function useAuditLog(filters: AuditFilters) {
  return useQuery({
    queryKey: queryKeys.auditLog.list(filters),
    queryFn: ({ signal }) => apiFetch('/audit-log', { schema: AuditPage, query: { ...filters }, signal }),
    placeholderData: keepPreviousData,
  })
}

/** Every action an entry can have, for the filter's picker. */
export function useAuditActions() {
  return useQuery({
    queryKey: queryKeys.auditLog.actions(),
    queryFn: ({ signal }) => apiFetch('/audit-log/actions', { schema: AuditActions, signal }),
    select: (data) => data.items,
    staleTime: 5 * 60_000,
  })
}
