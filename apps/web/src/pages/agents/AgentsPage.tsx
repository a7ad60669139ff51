/** Every agent with its live status, the tokens still waiting for an agent, "Add agent" and "Update all outdated". */
import { useState } from 'react'
import { useAgents, useUpdateOutdated } from '../../api/agents.ts'
import { PAGE_SIZE } from '../../api/Page.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, THead, Th } from '../../components/Table.tsx'
import { useNow } from '../../format/useNow.ts'
import { AddAgentDialog } from './AddAgentDialog.tsx'
import { AgentRow } from './AgentRow.tsx'
import { PendingRegistrations } from './PendingRegistrations.tsx'

export function AgentsPage() {
  const [offset, setOffset] = useState(0)
  const agents = useAgents({ limit: PAGE_SIZE, offset })
  const [adding, setAdding] = useState(false)
  const [confirmingBatch, setConfirmingBatch] = useState(false)
  const batch = useUpdateOutdated()
  const now = useNow()
  const outdated = agents.data?.items.filter((a) => a.outdated && !a.holdVersion) ?? []

  const addButton = (
    <Button tone="primary" onClick={() => setAdding(true)}>
      Add agent
    </Button>
  )

  return (
    <>
      <PageHeader
        title="Agents"
        description="The WireWarp agent on each VPS (tunnel server) and homelab host (tunnel client). Status updates live."
        actions={
          <>
            {outdated.length > 0 && (
              <Button onClick={() => setConfirmingBatch(true)} pending={batch.isPending}>
                Update all outdated
              </Button>
            )}
            {addButton}
          </>
        }
      />

      {batch.data && (
        <div className="mb-4">
          <Alert tone="info" title="Updating outdated agents">
            <p data-testid="update-batch" className="mt-1 break-words">
              {batch.data.queued.length === 0
                ? 'No connected agent that can update itself is outdated.'
                : `One at a time: ${batch.data.queued.map((q) => `${q.name} (${q.from} → ${q.to})`).join(', ')}. The rest stop if one rolls back.`}
            </p>
          </Alert>
        </div>
      )}

      {agents.isPending ? (
        <Loading />
      ) : agents.isError ? (
        <LoadError error={agents.error} onRetry={() => agents.refetch()} />
      ) : agents.data.items.length === 0 ? (
        <EmptyState title="No agents yet" action={addButton}>
          Start with a server agent on a VPS with a public address, then add a client agent on a homelab host. “Add
          agent” gives you a one-line install command to paste on the host; the agent shows up here once it registers.
        </EmptyState>
      ) : (
        <>
          <Table>
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Kind</Th>
                <Th>Status</Th>
                <Th>Version</Th>
                <Th>Last seen</Th>
                <Th title="The configuration revision the agent applied / the one it should run">Applied / desired</Th>
                <Th>Last apply</Th>
              </tr>
            </THead>
            <TBody>
              {agents.data.items.map((a) => (
                <AgentRow key={a.id} agent={a} now={now} />
              ))}
            </TBody>
          </Table>
          <Pagination offset={offset} limit={PAGE_SIZE} total={agents.data.total} onChange={setOffset} />
        </>
      )}

      <PendingRegistrations now={now} />

      <AddAgentDialog open={adding} onClose={() => setAdding(false)} />
      <ConfirmDialog
        open={confirmingBatch}
        title="Update all outdated agents?"
        confirmLabel="Update all outdated"
        pending={batch.isPending}
        error={batch.error}
        onClose={() => {
          setConfirmingBatch(false)
          batch.reset()
        }}
        onConfirm={() => batch.mutate(undefined, { onSuccess: () => setConfirmingBatch(false) })}
      >
        <p>
          Every connected agent that is outdated and not held updates to the newest release for its build, one at a
          time, with a pause between them. If one rolls back, the rest are left as they are.
        </p>
        <ul className="list-disc pl-5">
          {outdated.map((a) => (
            <li key={a.id} className="break-words">
              {a.name}: <span className="font-mono">{a.version}</span> →{' '}
              <span className="font-mono">{a.latestVersion}</span>
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  )
}
