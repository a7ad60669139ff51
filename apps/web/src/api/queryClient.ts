/** The app's TanStack Query client: retry policy, and "any 401 means the session is gone". */
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { ApiError, isApiError } from './ApiError.ts'
import { meQueryKey } from './auth.ts'

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: Error
    mutationMeta: { expectsUnauthenticated?: boolean }
  }
}

// Marking the session as gone makes RequireSession send the user to the sign-in page,
// wherever the 401 came from (a list, a form, a toggle).
function onUnauthenticated(error: unknown) {
  if (!isApiError(error, 401)) return
  if (queryClient.getQueryData(meQueryKey) === null) return
  queryClient.setQueryData(meQueryKey, null)
}

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onUnauthenticated }),
  mutationCache: new MutationCache({
    onError: (error, _vars, _ctx, mutation) => {
      if (!mutation.meta?.expectsUnauthenticated) onUnauthenticated(error)
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A 4xx will not fix itself; retrying only delays the error message.
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
    },
  },
})
