/** Admin calls on user accounts. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Page, User, type UserCreate, UserListItem, type UserUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

const UserPage = Page(UserListItem)

export function useUsers(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.users.list(page),
    queryFn: ({ signal }) => apiFetch('/users', { schema: UserPage, query: page, signal }),
    placeholderData: keepPreviousData,
  })
}

function useInvalidateUsers() {
  const queryClient = useQueryClient()
  return async () => {
    // An admin may edit their own account; the header and role checks read `me`.
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.users.all }),
      queryClient.invalidateQueries({ queryKey: queryKeys.me }),
    ])
  }
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers()
  return useMutation({
    mutationFn: (body: UserCreate) => apiFetch('/users', { method: 'POST', body, schema: User }),
    onSuccess: invalidate,
  })
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UserUpdate }) =>
      apiFetch(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, schema: User }),
    onSuccess: invalidate,
  })
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers()
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/users/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  })
}
