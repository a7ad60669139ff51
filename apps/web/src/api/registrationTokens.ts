/** One-time registration tokens: create one (with its install command), list them, revoke one. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { RegistrationToken, RegistrationTokenCreate, RegistrationTokenCreated } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import type { Page } from './Page.ts'

export const registrationTokensQueryKey = ['registration-tokens'] as const

// Newest first; the tokens still waiting for an agent are the recent ones.
const TOKENS_SHOWN = 100

export function useRegistrationTokens() {
  return useQuery({
    queryKey: registrationTokensQueryKey,
    queryFn: ({ signal }) =>
      apiFetch<Page<RegistrationToken>>('/registration-tokens', { query: { limit: TOKENS_SHOWN }, signal }),
  })
}

export function useCreateRegistrationToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: RegistrationTokenCreate) =>
      apiFetch<RegistrationTokenCreated>('/registration-tokens', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: registrationTokensQueryKey }),
  })
}

export function useRevokeRegistrationToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/registration-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: registrationTokensQueryKey }),
  })
}
