/** Port forwards on a tunnel server: list, create (from scratch or a template), edit, toggle, delete. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Page,
  PortForward,
  type PortForwardCreate,
  type PortForwardFromTemplate,
  PortForwardList,
  type PortForwardUpdate,
} from '@wirewarp/protocol'
import type { z } from 'zod'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

const ForwardPage = Page(PortForward)
type ForwardPage = z.infer<typeof ForwardPage>

const forwardPath = (id: string) => `/port-forwards/${encodeURIComponent(id)}`

export function usePortForwards(tunnelServerId: string | undefined, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.portForwards.list({ tunnelServerId, ...page }),
    queryFn: ({ signal }) =>
      apiFetch('/port-forwards', { schema: ForwardPage, query: { tunnelServerId, ...page }, signal }),
    enabled: tunnelServerId !== undefined,
    placeholderData: keepPreviousData,
  })
}

function useInvalidateForwards() {
  const queryClient = useQueryClient()
  // A changed forward is pending on its server until the agent applies it: refetch that state too.
  return () =>
    Promise.all(
      [queryKeys.portForwards.all, queryKeys.tunnelServerStatus.all].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    )
}

export function useCreateForward() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: (body: PortForwardCreate) => apiFetch('/port-forwards', { method: 'POST', body, schema: PortForward }),
    onSuccess: invalidate,
  })
}

export function useCreateForwardsFromTemplate() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: (body: PortForwardFromTemplate) =>
      apiFetch('/port-forwards/from-template', { method: 'POST', body, schema: PortForwardList }),
    onSuccess: invalidate,
  })
}

export function useUpdateForward() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: PortForwardUpdate }) =>
      apiFetch(forwardPath(id), { method: 'PATCH', body: patch, schema: PortForward }),
    onSuccess: invalidate,
  })
}

export function useSetForwardEnabled() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      apiFetch(`${forwardPath(id)}/${enabled ? 'enable' : 'disable'}`, { method: 'POST', schema: PortForward }),
    onSuccess: (updated) => {
      // Show the new state at once instead of waiting for the list to refetch.
      queryClient.setQueriesData<ForwardPage>({ queryKey: queryKeys.portForwards.lists }, (page) =>
        page ? { ...page, items: page.items.map((f) => (f.id === updated.id ? updated : f)) } : page,
      )
      return invalidate()
    },
  })
}

export function useDeleteForward() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: (id: string) => apiFetch(forwardPath(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  })
}
