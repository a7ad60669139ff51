/** Every tunnel server with the clients connected to it (and clients connected to none); each links to its page. */
import type { TunnelClient, TunnelServer } from '@wirewarp/protocol'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { useAllTunnelClients, useTunnelServers } from '../../api/tunnels.ts'
import { Alert } from '../../components/Alert.tsx'
import { Badge } from '../../components/Badge.tsx'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Unknown } from '../../components/FactList.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { AgentStatusBadge } from '../agents/AgentStatusBadge.tsx'
import { TunnelStateBadge } from './TunnelStateBadge.tsx'

const description = 'Tunnel servers (VPS) and the homelab clients connected to each. Open one to change its settings.'

const linkClass =
  'text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'
const serverNameClass =
  'font-semibold text-zinc-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-100'
const nameLinkClass =
  'font-medium text-zinc-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-100'

export function TunnelsPage() {
  const servers = useTunnelServers()
  const clients = useAllTunnelClients()

  let body: ReactNode
  if (servers.isPending) body = <Loading />
  else if (servers.isError) body = <LoadError error={servers.error} onRetry={() => servers.refetch()} />
  else {
    const clientList = clients.data?.items ?? []
    const unattached = clientList.filter((c) => c.tunnelServerId === null)
    body =
      servers.data.items.length === 0 && unattached.length === 0 ? (
        <EmptyState
          title="No tunnels yet — they appear when agents register"
          action={
            <Link to="/agents" className={linkClass}>
              Add an agent
            </Link>
          }
        >
          On the Agents page, choose “Add agent”: first a Server (VPS) with a public address, then a Client (homelab)
          that connects to it.
        </EmptyState>
      ) : (
        <div className="space-y-8">
          {clients.isError && <Alert>Could not load the tunnel clients: {clients.error.message}</Alert>}
          {servers.data.items.map((s) => (
            <ServerBlock
              key={s.id}
              server={s}
              clients={clientList.filter((c) => c.tunnelServerId === s.id)}
              loadingClients={clients.isPending}
            />
          ))}
          {unattached.length > 0 && (
            <section aria-label="Not connected to a server">
              <h2 className="mb-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100">Not connected to a server</h2>
              <ClientTable clients={unattached} />
            </section>
          )}
        </div>
      )
  }

  return (
    <>
      <PageHeader title="Tunnels" description={description} />
      {body}
    </>
  )
}

function ServerBlock({
  server: s,
  clients,
  loadingClients,
}: {
  server: TunnelServer
  clients: TunnelClient[]
  loadingClients: boolean
}) {
  return (
    <section aria-label={s.name} data-testid="tunnel-server" data-tunnel-server-id={s.id}>
      <div className="mb-2 flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h2 className="flex flex-wrap items-center gap-2 text-base">
            <Link to={`/tunnel-servers/${encodeURIComponent(s.id)}`} className={serverNameClass}>
              {s.name}
            </Link>
            <AgentStatusBadge status={s.status} />
          </h2>
          <p className="mt-0.5 font-mono text-xs text-zinc-500 dark:text-zinc-400">
            {[s.publicIp, `UDP ${s.wgPort}`, s.tunnelNetworkV4, s.tunnelNetworkV6].filter(Boolean).join(' · ')}
          </p>
          {!s.publicIp && (
            <p className="mt-1 text-xs font-medium text-amber-700 dark:text-amber-400" data-testid="no-public-ip">
              No public IP: no client can reach this server.{' '}
              <Link to={`/tunnel-servers/${encodeURIComponent(s.id)}`} className="underline">
                Set it
              </Link>
            </p>
          )}
        </div>
        <div className="flex gap-4">
          <Link to={`/port-forwards?server=${encodeURIComponent(s.id)}`} className={linkClass}>
            Port forwards
          </Link>
          <Link to={`/tunnel-servers/${encodeURIComponent(s.id)}`} className={linkClass}>
            Settings and peers
          </Link>
        </div>
      </div>
      {loadingClients ? (
        <Loading label="Loading clients…" />
      ) : clients.length === 0 ? (
        <EmptyNote>No client connects to this server yet.</EmptyNote>
      ) : (
        <ClientTable clients={clients} />
      )}
    </section>
  )
}

function ClientTable({ clients }: { clients: TunnelClient[] }) {
  return (
    // Fixed layout: the tables of all servers line up, column for column.
    <Table className="w-full min-w-[48rem]! table-fixed">
      <THead>
        <tr>
          <Th>Client</Th>
          <Th title="The client's agent, connected to WireWarp or not">Agent</Th>
          <Th title="The WireGuard tunnel, from the handshakes the server reports">Tunnel</Th>
          <Th>Tunnel IP</Th>
          <Th>Gateway</Th>
          <Th>LAN networks</Th>
        </tr>
      </THead>
      <TBody>
        {clients.map((c) => (
          <Tr key={c.id} data-testid="tunnel-client-row" data-tunnel-client-id={c.id}>
            <Td>
              <Link to={`/tunnel-clients/${encodeURIComponent(c.id)}`} className={nameLinkClass}>
                {c.name}
              </Link>
            </Td>
            <Td>
              <AgentStatusBadge status={c.status} />
            </Td>
            <Td>
              <TunnelStateBadge tunnel={c.tunnel} />
            </Td>
            <Td className="font-mono text-xs">{c.tunnelIp ?? <Unknown />}</Td>
            <Td>{c.isGateway ? <Badge tone="green">Gateway</Badge> : <Unknown>No</Unknown>}</Td>
            <Td className="font-mono text-xs">
              {c.isGateway && c.lanNetworks.length > 0 ? c.lanNetworks.join(', ') : <Unknown />}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  )
}
