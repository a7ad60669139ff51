/** Admin calls on user accounts. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { User, UserCreate, UserUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { meQueryKey } from './auth.ts'
import type { Page } from './Page.ts'

export const usersQueryKey = ['users'] as const

export function useUsers(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...usersQueryKey, page],
    queryFn: ({ signal }) => apiFetch<Page<User>>('/users', { query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

function useInvalidateUsers() {
  const queryClient = useQueryClient()
  return async () => {
    // An admin may edit their own account; the header and role checks read `me`.
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: usersQueryKey }),
      queryClient.invalidateQueries({ queryKey: meQueryKey }),
    ])
  }
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers()
  return useMutation({
    mutationFn: (body: UserCreate) => apiFetch<User>('/users', { method: 'POST', body }),
    onSuccess: invalidate,
  })
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UserUpdate }) =>
      apiFetch<User>(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  })
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/users/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  })
}
