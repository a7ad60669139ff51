/** Service templates: named sets of ports (built in, or made by an admin) that become forwards in one step. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { ServiceTemplate, ServiceTemplateCreate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { ALL_ROWS, type Page } from './Page.ts'

export const serviceTemplatesQueryKey = ['service-templates'] as const

export function useServiceTemplates() {
  return useQuery({
    queryKey: serviceTemplatesQueryKey,
    queryFn: ({ signal }) =>
      apiFetch<Page<ServiceTemplate>>('/service-templates', { query: { limit: ALL_ROWS }, signal }),
  })
}

export function useCreateServiceTemplate() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: ServiceTemplateCreate) =>
      apiFetch<ServiceTemplate>('/service-templates', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceTemplatesQueryKey }),
  })
}

export function useDeleteServiceTemplate() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/service-templates/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceTemplatesQueryKey }),
  })
}
