/**
 * The overview: agents connected, tunnels up, forwards working, and why each that is not. Tunnel
 * state follows the handshakes servers report every 30 s, which no live event carries: polled like
 * the tunnel lists; live agent events refetch it at once.
 */
import { useQuery } from '@tanstack/react-query'
import { Overview } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'

export const overviewQueryKey = ['overview'] as const

const OVERVIEW_REFRESH_MS = 15_000

export function useOverview() {
  return useQuery({
    queryKey: overviewQueryKey,
    queryFn: ({ signal }) => apiFetch('/overview', { schema: Overview, signal }),
    refetchInterval: OVERVIEW_REFRESH_MS,
  })
}
