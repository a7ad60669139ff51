/** Every agent with its live status, the tokens still waiting for an agent, and "Add agent". */
import { useState } from 'react'
import { useAgents } from '../../api/agents.ts'
import { PAGE_SIZE } from '../../api/Page.ts'
import { Button } from '../../components/Button.tsx'
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
  const now = useNow()

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
        actions={addButton}
      />

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
    </>
  )
}
