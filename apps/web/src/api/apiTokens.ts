/** The signed-in user's own API tokens. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { ApiToken, ApiTokenCreate, ApiTokenCreated } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import type { Page } from './Page.ts'

export const apiTokensQueryKey = ['api-tokens'] as const

export function useApiTokens(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...apiTokensQueryKey, page],
    queryFn: ({ signal }) => apiFetch<Page<ApiToken>>('/api-tokens', { query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

export function useCreateApiToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: ApiTokenCreate) => apiFetch<ApiTokenCreated>('/api-tokens', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryKey }),
  })
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryKey }),
  })
}
