/** One tunnel client: which server it connects to, its tunnel IP and gateway role (editable), and its facts. */
import type { TunnelClient } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { useTunnelClient, useTunnelServers } from '../../api/tunnels.ts'
import { Badge } from '../../components/Badge.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { DetailPage } from '../../components/DetailPage.tsx'
import { FactList, factText, Unknown } from '../../components/FactList.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Section } from '../../components/Section.tsx'
import { AgentStatusBadge } from '../agents/AgentStatusBadge.tsx'
import { TunnelClientForm } from './TunnelClientForm.tsx'
import { TunnelStateBadge } from './TunnelStateBadge.tsx'
import { TunnelsBackLink } from './TunnelsBackLink.tsx'

const linkClass =
  'text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

export function TunnelClientPage() {
  return (
    <DetailPage
      useItem={useTunnelClient}
      noun="tunnel client"
      title="Tunnel client"
      back={<TunnelsBackLink />}
      list={{ to: '/tunnel-servers', label: 'Go to the tunnels' }}
      goneHint="It is deleted with its agent."
    >
      {(client) => <TunnelClientDetail key={client.id} client={client} />}
    </DetailPage>
  )
}

function TunnelClientDetail({ client }: { client: TunnelClient }) {
  const servers = useTunnelServers()
  const server = servers.data?.items.find((s) => s.id === client.tunnelServerId)

  return (
    <>
      <TunnelsBackLink />
      <PageHeader
        title={client.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            Tunnel client
            <AgentStatusBadge status={client.status} />
            {client.isGateway && <Badge tone="green">Gateway</Badge>}
            <span className="inline-flex items-center gap-1.5">
              Tunnel <TunnelStateBadge tunnel={client.tunnel} />
            </span>
          </span>
        }
      />

      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <Section title="Settings">
          {servers.isPending ? (
            <Loading />
          ) : servers.isError ? (
            <LoadError error={servers.error} onRetry={() => servers.refetch()} />
          ) : (
            <TunnelClientForm client={client} servers={servers.data.items} />
          )}
        </Section>
        <Section title="Client">
          <FactList
            rows={[
              ['Agent', <AgentStatusBadge key="status" status={client.status} />],
              ['Tunnel', <TunnelStateBadge key="tunnel" tunnel={client.tunnel} />],
              [
                'Tunnel server',
                client.tunnelServerId === null ? (
                  <Unknown key="server">not connected</Unknown>
                ) : (
                  <Link
                    key="server"
                    to={`/tunnel-servers/${encodeURIComponent(client.tunnelServerId)}`}
                    className={linkClass}
                  >
                    {server?.name ?? 'Tunnel server'}
                  </Link>
                ),
              ],
              ['Tunnel IP', factText(client.tunnelIp, true)],
              ['WireGuard key', factText(client.wgPublicKey, true)],
              ['Updated', <DateTime key="updated" iso={client.updatedAt} absolute />],
              [
                'Agent',
                <Link key="agent" to={`/agents/${encodeURIComponent(client.agentId)}`} className={linkClass}>
                  Agent details
                </Link>,
              ],
            ]}
          />
        </Section>
      </div>
    </>
  )
}
