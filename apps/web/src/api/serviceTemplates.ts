/** Service templates: named sets of ports (built in, or made by an admin) that become forwards in one step. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Page, ServiceTemplate, type ServiceTemplateCreate, type ServiceTemplateUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { ALL_ROWS } from './Page.ts'
import { queryKeys } from './queryKeys.ts'

const TemplatePage = Page(ServiceTemplate)

export function useServiceTemplates() {
  return useQuery({
    queryKey: queryKeys.serviceTemplates.list(),
    queryFn: ({ signal }) =>
      apiFetch('/service-templates', { schema: TemplatePage, query: { limit: ALL_ROWS }, signal }),
  })
}

export function useCreateServiceTemplate() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: ServiceTemplateCreate) =>
      apiFetch('/service-templates', { method: 'POST', body, schema: ServiceTemplate }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.serviceTemplates.all }),
  })
}

export function useUpdateServiceTemplate() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: ServiceTemplateUpdate }) =>
      apiFetch(`/service-templates/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        body: patch,
        schema: ServiceTemplate,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.serviceTemplates.all }),
  })
}

export function useDeleteServiceTemplate() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/service-templates/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.serviceTemplates.all }),
  })
}
