/** Port forwards on a tunnel server: list, create (from scratch or a template), edit, toggle, delete. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { PortForward, PortForwardCreate, PortForwardFromTemplate, PortForwardUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import type { Page } from './Page.ts'
import { tunnelServerStatusRootKey } from './tunnelServerStatus.ts'

export const portForwardsQueryKey = ['port-forwards'] as const

const forwardPath = (id: string) => `/port-forwards/${encodeURIComponent(id)}`

export function usePortForwards(tunnelServerId: string | undefined, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...portForwardsQueryKey, { tunnelServerId, ...page }],
    queryFn: ({ signal }) =>
      apiFetch<Page<PortForward>>('/port-forwards', { query: { tunnelServerId, ...page }, signal }),
    enabled: tunnelServerId !== undefined,
    placeholderData: keepPreviousData,
  })
}

function useInvalidateForwards() {
  const queryClient = useQueryClient()
  // A changed forward is pending on its server until the agent applies it: refetch that state too.
  return () =>
    Promise.all(
      [portForwardsQueryKey, tunnelServerStatusRootKey].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
    )
}

export function useCreateForward() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: (body: PortForwardCreate) => apiFetch<PortForward>('/port-forwards', { method: 'POST', body }),
    onSuccess: invalidate,
  })
}

export function useCreateForwardsFromTemplate() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: (body: PortForwardFromTemplate) =>
      apiFetch<{ items: PortForward[] }>('/port-forwards/from-template', { method: 'POST', body }),
    onSuccess: invalidate,
  })
}

export function useUpdateForward() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: PortForwardUpdate }) =>
      apiFetch<PortForward>(forwardPath(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  })
}

export function useSetForwardEnabled() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      apiFetch<PortForward>(`${forwardPath(id)}/${enabled ? 'enable' : 'disable'}`, { method: 'POST' }),
    onSuccess: (updated) => {
      // Show the new state at once instead of waiting for the list to refetch.
      queryClient.setQueriesData<Page<PortForward>>({ queryKey: portForwardsQueryKey }, (page) =>
        page ? { ...page, items: page.items.map((f) => (f.id === updated.id ? updated : f)) } : page,
      )
      return invalidate()
    },
  })
}

export function useDeleteForward() {
  const invalidate = useInvalidateForwards()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(forwardPath(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  })
}
