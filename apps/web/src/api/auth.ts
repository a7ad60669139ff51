/** Session calls: who is signed in, sign in, sign out, change your password. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type LoginRequest, Me, type PasswordChange } from '@wirewarp/protocol'
import { isApiError } from './ApiError.ts'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

/** The signed-in user, or null when there is no valid session. */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async ({ signal }): Promise<Me | null> => {
      try {
        return await apiFetch('/auth/me', { schema: Me, signal })
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
    mutationFn: (body: LoginRequest) => apiFetch('/auth/login', { method: 'POST', body, schema: Me }),
    // A wrong password is a 401 too; it must not count as "the session expired".
    meta: { expectsUnauthenticated: true },
    onSuccess: (me) => {
      // Another account may have used this tab; drop everything cached under it.
      queryClient.removeQueries()
      queryClient.setQueryData(queryKeys.me, me)
    },
  })
}

export function useSignOut() {
  return useMutation({
    mutationFn: () => apiFetch('/auth/logout', { method: 'POST' }),
    meta: { expectsUnauthenticated: true },
    // A full page load drops every cached response and in-memory state of the old session at once,
    // and lands on a plain /login that will not send the next person back to this page.
    onSettled: () => window.location.replace('/login'),
  })
}

/** Changes the signed-in user's own password; the server ends their other sessions. */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: PasswordChange) => apiFetch('/auth/password', { method: 'POST', body }),
  })
}
