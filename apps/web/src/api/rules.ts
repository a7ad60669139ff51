/** Firewall rules for devices (admin): list, create, edit, delete, and the order one user's traffic meets them. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { EffectiveRules, Page, Rule, type RuleCreate, type RuleUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

const RulePage = Page(Rule)

const rulePath = (id: string) => `/rules/${encodeURIComponent(id)}`

export function useRules(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.rules.list(page),
    queryFn: ({ signal }) => apiFetch('/rules', { schema: RulePage, query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

/** Nothing is fetched until both a user and a tunnel server are chosen. */
export function useEffectiveRules(userId: string | undefined, tunnelServerId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.rules.effective(userId ?? '', tunnelServerId ?? ''),
    queryFn: ({ signal }) =>
      apiFetch('/rules/effective', { schema: EffectiveRules, query: { userId, tunnelServerId }, signal }),
    enabled: userId !== undefined && tunnelServerId !== undefined,
    placeholderData: keepPreviousData,
  })
}

function useInvalidateRules() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.rules.all })
}

export function useCreateRule() {
  const invalidate = useInvalidateRules()
  return useMutation({
    mutationFn: (body: RuleCreate) => apiFetch('/rules', { method: 'POST', body, schema: Rule }),
    onSuccess: invalidate,
  })
}

export function useUpdateRule() {
  const invalidate = useInvalidateRules()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: RuleUpdate }) =>
      apiFetch(rulePath(id), { method: 'PATCH', body: patch, schema: Rule }),
    onSuccess: invalidate,
  })
}

export function useDeleteRule() {
  const invalidate = useInvalidateRules()
  return useMutation({
    mutationFn: (id: string) => apiFetch(rulePath(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  })
}
