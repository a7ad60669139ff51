/** Port forwards of one tunnel server: pick the server, then list, create, edit, toggle and delete. */
import type { PortForward, TunnelClient } from '@wirewarp/protocol'
import { type ReactNode, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { PAGE_SIZE } from '../../api/Page.ts'
import { useDeleteForward, usePortForwards } from '../../api/portForwards.ts'
import { useTunnelServerStatus } from '../../api/tunnelServerStatus.ts'
import { useTunnelClients, useTunnelServers } from '../../api/tunnels.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { RefreshButton } from '../../components/RefreshButton.tsx'
import { Table, TBody, THead, Th } from '../../components/Table.tsx'
import { formatAge } from '../../format/formatAge.ts'
import { ForwardFormDialog } from './ForwardFormDialog.tsx'
import { ForwardRow } from './ForwardRow.tsx'
import { FromTemplateDialog } from './FromTemplateDialog.tsx'
import { formatPortRange } from './formatForward.ts'
import { ServerPicker } from './ServerPicker.tsx'

const description = 'Publish homelab services on the public address of a tunnel server.'

const linkClass =
  'text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

export function PortForwardsPage() {
  const servers = useTunnelServers()
  const [searchParams, setSearchParams] = useSearchParams()

  if (servers.isPending) return <PageHeader title="Port forwards" description={description} />
  if (servers.isError) {
    return (
      <>
        <PageHeader title="Port forwards" description={description} />
        <LoadError error={servers.error} onRetry={() => servers.refetch()} />
      </>
    )
  }
  const list = servers.data.items
  if (list.length === 0) {
    return (
      <>
        <PageHeader title="Port forwards" description={description} />
        <EmptyState
          title="No tunnel servers yet — they appear when a server agent registers"
          action={
            <Link to="/agents" className={linkClass}>
              Add a server agent
            </Link>
          }
        >
          On the Agents page, choose “Add agent”, pick Server (VPS) and run the install command on your VPS; its
          forwards are managed here.
        </EmptyState>
      </>
    )
  }

  const wanted = searchParams.get('server')
  const server = list.find((s) => s.id === wanted) ?? list[0]!
  return (
    <ServerForwards
      // A fresh component per server resets paging, dialogs and notices when the server changes.
      key={server.id}
      serverId={server.id}
      picker={
        <ServerPicker
          servers={list}
          selectedId={server.id}
          onChange={(id) => setSearchParams({ server: id }, { replace: true })}
        />
      }
    />
  )
}

type Editing = { kind: 'create' } | { kind: 'edit'; forward: PortForward } | { kind: 'template' } | null

function ServerForwards({ serverId, picker }: { serverId: string; picker: ReactNode }) {
  const [offset, setOffset] = useState(0)
  const forwards = usePortForwards(serverId, { limit: PAGE_SIZE, offset })
  const clients = useTunnelClients(serverId)
  // Applied state per forward; kept fresh by live agent events and forward changes, not by polling.
  const status = useTunnelServerStatus(serverId)
  const forwardStates = new Map(status.data?.forwards.map((f) => [f.id, f]))
  const sampledAt = status.data?.sampledAt ?? null
  const [editing, setEditing] = useState<Editing>(null)
  const [deleting, setDeleting] = useState<PortForward | null>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const remove = useDeleteForward()

  const clientList: TunnelClient[] = clients.data?.items ?? []
  const clientName = (id: string) =>
    clientList.find((c) => c.id === id)?.name ?? (clients.isPending ? '…' : 'Unknown client')

  return (
    <>
      <PageHeader
        title="Port forwards"
        description={description}
        actions={
          <>
            <Button onClick={() => setEditing({ kind: 'template' })}>From template</Button>
            <Button tone="primary" onClick={() => setEditing({ kind: 'create' })}>
              New forward
            </Button>
          </>
        }
      />
      <div className="mb-4 flex flex-wrap items-end justify-between gap-x-3 gap-y-2">
        <div className="flex w-full max-w-lg flex-wrap items-end gap-x-4 gap-y-2">
          {picker}
          <Link to={`/tunnel-servers/${encodeURIComponent(serverId)}`} className={`${linkClass} sm:mb-2.5`}>
            Server settings
          </Link>
        </div>
        <Link to="/service-templates" className={linkClass}>
          Manage service templates
        </Link>
      </div>

      {notice && (
        <div className="mb-4 flex items-start gap-2">
          <div className="flex-1">
            <Alert tone={notice.tone}>{notice.text}</Alert>
          </div>
          <Button size="sm" tone="ghost" onClick={() => setNotice(null)}>
            Dismiss
          </Button>
        </div>
      )}
      {clients.isError && (
        <div className="mb-4">
          <Alert>Could not load the tunnel clients: {clients.error.message}</Alert>
        </div>
      )}

      {forwards.isPending ? (
        <Loading />
      ) : forwards.isError ? (
        <LoadError error={forwards.error} onRetry={() => forwards.refetch()} />
      ) : forwards.data.items.length === 0 ? (
        <EmptyState
          title="No port forwards on this server"
          action={
            <>
              <Button onClick={() => setEditing({ kind: 'template' })}>Use a template</Button>
              <Button tone="primary" onClick={() => setEditing({ kind: 'create' })}>
                Add a forward
              </Button>
            </>
          }
        >
          Forward a public port (or range) to a service in your homelab, or start from a template such as Minecraft.
        </EmptyState>
      ) : (
        <>
          <Table>
            <THead>
              <tr>
                <Th>Public port</Th>
                <Th>Service</Th>
                <Th>Enabled</Th>
                <Th
                  title={`Whether the server agent runs the forward as it is now, and the traffic it counted${
                    sampledAt ? ` (sampled ${formatAge(sampledAt)}; the agent reports every 30 seconds)` : ''
                  }`}
                >
                  <span className="block">Applied</span>
                  <span className="inline-flex items-center gap-1">
                    Traffic
                    {/* Traffic arrives every 30 s with no live event: refresh on demand instead of polling. */}
                    <RefreshButton label="Refresh traffic" onClick={() => status.refetch()} busy={status.isFetching} />
                  </span>
                </Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {forwards.data.items.map((f) => (
                <ForwardRow
                  key={f.id}
                  forward={f}
                  clientName={clientName(f.tunnelClientId)}
                  state={forwardStates.get(f.id)}
                  agentStatus={status.data?.agent.status}
                  tunnel={clientList.find((c) => c.id === f.tunnelClientId)?.tunnel}
                  onEdit={() => setEditing({ kind: 'edit', forward: f })}
                  onDelete={() => setDeleting(f)}
                  onToggleError={(forward, error) =>
                    setNotice({
                      tone: 'error',
                      text: `Could not ${forward.enabled ? 'disable' : 'enable'} ${forward.protocol} ${formatPortRange(forward.publicPort, forward.publicPortEnd)}: ${error.message}`,
                    })
                  }
                />
              ))}
            </TBody>
          </Table>
          <Pagination offset={offset} limit={PAGE_SIZE} total={forwards.data.total} onChange={setOffset} />
        </>
      )}

      <ForwardFormDialog
        open={editing?.kind === 'create' || editing?.kind === 'edit'}
        tunnelServerId={serverId}
        clients={clients.isPending ? undefined : clientList}
        forward={editing?.kind === 'edit' ? editing.forward : null}
        onClose={() => setEditing(null)}
      />
      <FromTemplateDialog
        open={editing?.kind === 'template'}
        tunnelServerId={serverId}
        clients={clients.isPending ? undefined : clientList}
        onClose={() => setEditing(null)}
        onCreated={(count, templateName) => {
          setEditing(null)
          setNotice({
            tone: 'success',
            text: `Created ${count} forward${count === 1 ? '' : 's'} from ${templateName}.`,
          })
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this forward?"
        confirmLabel="Delete forward"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null)
          remove.reset()
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        {deleting && (
          <p>
            Public {deleting.protocol} port{' '}
            <strong>{formatPortRange(deleting.publicPort, deleting.publicPortEnd)}</strong>
            {deleting.description ? ` (${deleting.description})` : ''} stops forwarding as soon as the server applies
            the change.
          </p>
        )}
      </ConfirmDialog>
    </>
  )
}
