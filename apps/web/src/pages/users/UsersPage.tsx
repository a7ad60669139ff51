/** Admin page for user accounts: list, create, edit, reset password, delete. */
import type { User } from '@wirewarp/protocol'
import { useState } from 'react'
import { Link } from 'react-router'
import { PAGE_SIZE } from '../../api/Page.ts'
import { useDeleteUser, useUsers } from '../../api/users.ts'
import { useSession } from '../../auth/SessionContext.ts'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { ResetPasswordDialog } from './ResetPasswordDialog.tsx'
import { UserFormDialog } from './UserFormDialog.tsx'

type Editing = { kind: 'create' } | { kind: 'edit'; user: User } | { kind: 'password'; user: User } | null

export function UsersPage() {
  const me = useSession()
  const [offset, setOffset] = useState(0)
  const users = useUsers({ limit: PAGE_SIZE, offset })
  const [editing, setEditing] = useState<Editing>(null)
  const [deleting, setDeleting] = useState<User | null>(null)
  const remove = useDeleteUser()

  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in. Admins manage everything; users manage their own API tokens."
        actions={
          <Button tone="primary" onClick={() => setEditing({ kind: 'create' })}>
            New user
          </Button>
        }
      />

      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <LoadError error={users.error} onRetry={() => users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <>
          <Table>
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Email</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th>Devices</Th>
                <Th>Last sign-in</Th>
                <Th>Created</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {users.data.items.map((user) => {
                const isMe = user.id === me.id
                return (
                  <Tr key={user.id} data-testid="user-row" data-user-id={user.id}>
                    <Td className="min-w-40 font-medium">
                      {user.name}
                      {isMe && <span className="ml-2 text-xs font-normal text-zinc-500 dark:text-zinc-400">(you)</span>}
                    </Td>
                    <Td>{user.email}</Td>
                    <Td>
                      <Badge tone={user.role === 'admin' ? 'sky' : 'neutral'}>{user.role}</Badge>
                    </Td>
                    <Td>{user.disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}</Td>
                    <Td className="tabular-nums" data-testid="user-devices">
                      {user.devices > 0 ? (
                        <Link
                          to={`/admin/devices?user=${encodeURIComponent(user.id)}`}
                          className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                        >
                          {user.devices}
                        </Link>
                      ) : (
                        '0'
                      )}
                    </Td>
                    <Td>
                      <DateTime iso={user.lastLoginAt} empty="Never" />
                    </Td>
                    <Td>
                      <DateTime iso={user.createdAt} />
                    </Td>
                    <Td className="text-right whitespace-nowrap">
                      <Button size="sm" tone="ghost" onClick={() => setEditing({ kind: 'edit', user })}>
                        Edit
                      </Button>
                      <Button size="sm" tone="ghost" onClick={() => setEditing({ kind: 'password', user })}>
                        Reset password
                      </Button>
                      <Button
                        size="sm"
                        tone="ghost"
                        disabled={isMe}
                        title={isMe ? 'You cannot delete your own account' : undefined}
                        onClick={() => setDeleting(user)}
                      >
                        Delete
                      </Button>
                    </Td>
                  </Tr>
                )
              })}
            </TBody>
          </Table>
          <Pagination offset={offset} limit={PAGE_SIZE} total={users.data.total} onChange={setOffset} />
        </>
      )}

      <UserFormDialog
        open={editing?.kind === 'create' || editing?.kind === 'edit'}
        user={editing?.kind === 'edit' ? editing.user : null}
        isSelf={editing?.kind === 'edit' && editing.user.id === me.id}
        onClose={() => setEditing(null)}
      />
      <ResetPasswordDialog user={editing?.kind === 'password' ? editing.user : null} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this user?"
        confirmLabel="Delete user"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null)
          remove.reset()
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        <p>
          <strong>{deleting?.email}</strong> will no longer be able to sign in, and their API tokens stop working. This
          cannot be undone; to keep the account for later, disable it instead.
        </p>
      </ConfirmDialog>
    </>
  )
}
