/** The app's TanStack Query client: retry policy, and "any 401 means the session is gone". */
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { canRetry, isApiError } from './ApiError.ts'
import { queryKeys } from './queryKeys.ts'

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
  if (queryClient.getQueryData(queryKeys.me) === null) return
  queryClient.setQueryData(queryKeys.me, null)
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
      // A 4xx or an answer that does not fit will not fix itself; retrying only delays the message.
      retry: (failures, error) => canRetry(error) && failures < 2,
    },
  },
})
