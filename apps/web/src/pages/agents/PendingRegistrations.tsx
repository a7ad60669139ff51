/** Registration tokens no agent has used yet, each with a way to revoke it. Hidden when there are none. */
import type { RegistrationToken } from '@wirewarp/protocol'
import { useState } from 'react'
import { useRegistrationTokens, useRevokeRegistrationToken } from '../../api/registrationTokens.ts'
import { Alert } from '../../components/Alert.tsx'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { Section } from '../../components/Section.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'

export function PendingRegistrations({ now }: { now: number }) {
  const tokens = useRegistrationTokens()
  const [revoking, setRevoking] = useState<RegistrationToken | null>(null)
  const revoke = useRevokeRegistrationToken()

  if (tokens.isError) {
    return (
      <div className="mt-8">
        <Alert>Could not load the registration tokens: {tokens.error.message}</Alert>
      </div>
    )
  }
  // "active" is the server's word at fetch time; one that expired since is hidden here too.
  const waiting = (tokens.data?.items ?? []).filter(
    (t) => t.status === 'active' && new Date(t.expiresAt).getTime() > now,
  )
  if (waiting.length === 0) return null

  return (
    <Section title="Waiting for an agent to register" className="mt-8">
      <Table>
        <THead>
          <tr>
            <Th>Name</Th>
            <Th>Kind</Th>
            <Th>Created</Th>
            <Th>Expires</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </THead>
        <TBody>
          {waiting.map((t) => (
            <Tr key={t.id} data-testid="registration-token-row" data-token-id={t.id}>
              <Td className="font-medium whitespace-nowrap">{t.name}</Td>
              <Td>
                <Badge tone={t.kind === 'server' ? 'sky' : 'neutral'}>{t.kind}</Badge>
              </Td>
              <Td>
                <DateTime iso={t.createdAt} />
              </Td>
              <Td>
                <DateTime iso={t.expiresAt} />
              </Td>
              <Td className="text-right">
                <Button size="sm" tone="ghost" onClick={() => setRevoking(t)}>
                  Revoke
                </Button>
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this registration token?"
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
          The install command for <strong>{revoking?.name}</strong> stops working. An agent that already registered with
          it is not affected.
        </p>
      </ConfirmDialog>
    </Section>
  )
}
