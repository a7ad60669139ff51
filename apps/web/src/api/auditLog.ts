/** The admin audit log, filtered and paged on the server. */

import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { AuditEntry } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import type { Page } from './Page.ts'

export interface AuditFilters {
  action?: string
  actorId?: string
  targetType?: string
  from?: string
  to?: string
  limit: number
  offset: number
}

export function useAuditLog(filters: AuditFilters) {
  return useQuery({
    queryKey: ['audit-log', filters],
    queryFn: ({ signal }) => apiFetch<Page<AuditEntry>>('/audit-log', { query: { ...filters }, signal }),
    placeholderData: keepPreviousData,
  })
}
