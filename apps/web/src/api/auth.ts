/** Session calls: who is signed in, sign in, sign out. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { LoginRequest, Me } from '@wirewarp/protocol'
import { isApiError } from './ApiError.ts'
import { apiFetch } from './apiFetch.ts'

export const meQueryKey = ['auth', 'me'] as const

/** The signed-in user, or null when there is no valid session. */
export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: async ({ signal }): Promise<Me | null> => {
      try {
        return await apiFetch<Me>('/auth/me', { signal })
      } catch (error) {
        if (isApiError(error, 401)) return null
        throw error
      }
    },
    staleTime: 60_000,
  })
}

export function useSignIn() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: LoginRequest) => apiFetch<Me>('/auth/login', { method: 'POST', body }),
    // A wrong password is a 401 too; it must not count as "the session expired".
    meta: { expectsUnauthenticated: true },
    onSuccess: (me) => {
      // Another account may have used this tab; drop everything cached under it.
      queryClient.removeQueries()
      queryClient.setQueryData(meQueryKey, me)
    },
  })
}

export function useSignOut() {
  return useMutation({
    mutationFn: () => apiFetch<void>('/auth/logout', { method: 'POST' }),
    meta: { expectsUnauthenticated: true },
    // A full page load drops every cached response and in-memory state of the old session at once,
    // and lands on a plain /login that will not send the next person back to this page.
    onSettled: () => window.location.replace('/login'),
  })
}
