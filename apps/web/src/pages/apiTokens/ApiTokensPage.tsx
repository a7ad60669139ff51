/** The signed-in user's API tokens: list, create (shown once), revoke. */
import type { ApiToken } from '@wirewarp/protocol'
import { useState } from 'react'
import { useApiTokens, useRevokeApiToken } from '../../api/apiTokens.ts'
import { PAGE_SIZE } from '../../api/Page.ts'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { CreateApiTokenDialog } from './CreateApiTokenDialog.tsx'

export function ApiTokensPage() {
  const [offset, setOffset] = useState(0)
  const tokens = useApiTokens({ limit: PAGE_SIZE, offset })
  const [creating, setCreating] = useState(false)
  const [revoking, setRevoking] = useState<ApiToken | null>(null)
  const revoke = useRevokeApiToken()

  const newButton = (
    <Button tone="primary" onClick={() => setCreating(true)}>
      New token
    </Button>
  )

  return (
    <>
      <PageHeader
        title="API tokens"
        description={
          <>
            Tokens let scripts call the API as you. Send one as{' '}
            <code className="rounded bg-zinc-100 px-1 py-0.5 text-xs dark:bg-zinc-800">Authorization: Bearer …</code>
          </>
        }
        actions={newButton}
      />

      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <LoadError error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : tokens.data.items.length === 0 ? (
        <EmptyState title="No API tokens yet" action={newButton}>
          Create one for each script or tool, so you can revoke them one at a time.
        </EmptyState>
      ) : (
        <>
          <Table>
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Token</Th>
                <Th>Created</Th>
                <Th>Expires</Th>
                <Th>Last used</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {tokens.data.items.map((token) => (
                <Tr key={token.id} data-testid="api-token-row" data-token-id={token.id}>
                  <Td className="min-w-40 font-medium">{token.name}</Td>
                  <Td>
                    <code className="font-mono text-xs whitespace-nowrap text-zinc-600 dark:text-zinc-400">
                      {token.prefix}…
                    </code>
                  </Td>
                  <Td>
                    <DateTime iso={token.createdAt} />
                  </Td>
                  <Td>
                    <Expiry iso={token.expiresAt} />
                  </Td>
                  <Td>
                    <DateTime iso={token.lastUsedAt} empty="Never" />
                  </Td>
                  <Td className="text-right">
                    <Button size="sm" tone="ghost" onClick={() => setRevoking(token)}>
                      Revoke
                    </Button>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination offset={offset} limit={PAGE_SIZE} total={tokens.data.total} onChange={setOffset} />
        </>
      )}

      <CreateApiTokenDialog open={creating} onClose={() => setCreating(false)} />

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        confirmLabel="Revoke token"
        pending={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRevoking(null)
          revoke.reset()
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <p>
          Anything that uses <strong>{revoking?.name}</strong> ({revoking?.prefix}…) stops working at once. This cannot
          be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}

function Expiry({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-500 dark:text-zinc-400">Never</span>
  if (new Date(iso).getTime() <= Date.now()) return <Badge tone="red">Expired</Badge>
  return <DateTime iso={iso} />
}
