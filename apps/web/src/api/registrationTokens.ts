/** One-time registration tokens: create one (with its install command), list them, revoke one. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Page, RegistrationToken, type RegistrationTokenCreate, RegistrationTokenCreated } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

// Newest first; the tokens still waiting for an agent are the recent ones.
const TOKENS_SHOWN = 100

const TokenPage = Page(RegistrationToken)

export function useRegistrationTokens() {
  return useQuery({
    queryKey: queryKeys.registrationTokens.list(),
    queryFn: ({ signal }) =>
      apiFetch('/registration-tokens', { schema: TokenPage, query: { limit: TOKENS_SHOWN }, signal }),
  })
}

export function useCreateRegistrationToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: RegistrationTokenCreate) =>
      apiFetch('/registration-tokens', { method: 'POST', body, schema: RegistrationTokenCreated }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.registrationTokens.all }),
  })
}

export function useRevokeRegistrationToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/registration-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.registrationTokens.all }),
  })
}
