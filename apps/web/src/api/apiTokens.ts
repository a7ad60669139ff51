/** The signed-in user's own API tokens. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiToken, type ApiTokenCreate, ApiTokenCreated, Page } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

const TokenPage = Page(ApiToken)

export function useApiTokens(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.apiTokens.list(page),
    queryFn: ({ signal }) => apiFetch('/api-tokens', { schema: TokenPage, query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

export function useCreateApiToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: ApiTokenCreate) => apiFetch('/api-tokens', { method: 'POST', body, schema: ApiTokenCreated }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens.all }),
  })
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens.all }),
  })
}
