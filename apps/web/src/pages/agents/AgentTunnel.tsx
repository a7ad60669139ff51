/** The tunnel server or client an agent runs, with links to the pages that edit it. */
import type { Agent } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { useTunnelClient, useTunnelServer } from '../../api/tunnels.ts'
import { Badge } from '../../components/Badge.tsx'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { FactList, factText, Unknown } from '../../components/FactList.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Section } from '../../components/Section.tsx'

const linkClass =
  'text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

export function AgentTunnel({ agent }: { agent: Agent }) {
  return agent.kind === 'server' ? (
    <TunnelServerFacts id={agent.tunnelServerId} />
  ) : (
    <TunnelClientFacts id={agent.tunnelClientId} />
  )
}

function TunnelServerFacts({ id }: { id: string | null }) {
  const server = useTunnelServer(id)
  const links = id && (
    <>
      <Link to={`/port-forwards?server=${encodeURIComponent(id)}`} className={linkClass}>
        Port forwards
      </Link>
      <Link to={`/tunnel-servers/${encodeURIComponent(id)}`} className={linkClass}>
        Settings and peers
      </Link>
    </>
  )
  return (
    <Section title="Tunnel server" actions={links}>
      {id === null ? (
        <EmptyNote>This agent has no tunnel server; one is created when a server agent registers.</EmptyNote>
      ) : server.isPending ? (
        <Loading />
      ) : server.isError ? (
        <LoadError error={server.error} onRetry={() => server.refetch()} />
      ) : (
        <FactList
          rows={[
            ['Name', server.data.name],
            ['Public IP', factText(server.data.publicIp, true)],
            ['WireGuard', factText(`${server.data.wgInterface}, UDP port ${server.data.wgPort}`, true)],
            [
              'Tunnel network',
              factText([server.data.tunnelNetworkV4, server.data.tunnelNetworkV6].filter(Boolean).join(', '), true),
            ],
            ['MTU', server.data.mtu],
            ['DNS for clients', factText(server.data.dns.join(', ') || null, true)],
          ]}
        />
      )}
    </Section>
  )
}

function TunnelClientFacts({ id }: { id: string | null }) {
  const client = useTunnelClient(id)
  const server = useTunnelServer(client.data?.tunnelServerId ?? null)
  const settingsLink = id && (
    <Link to={`/tunnel-clients/${encodeURIComponent(id)}`} className={linkClass}>
      Settings
    </Link>
  )
  return (
    <Section title="Tunnel client" actions={settingsLink}>
      {id === null ? (
        <EmptyNote>This agent has no tunnel client yet.</EmptyNote>
      ) : client.isPending ? (
        <Loading />
      ) : client.isError ? (
        <LoadError error={client.error} onRetry={() => client.refetch()} />
      ) : (
        <FactList
          rows={[
            ['Name', client.data.name],
            [
              'Tunnel server',
              client.data.tunnelServerId === null ? (
                <Unknown key="server">none (attach later)</Unknown>
              ) : (
                <Link
                  key="server"
                  to={`/tunnel-servers/${encodeURIComponent(client.data.tunnelServerId)}`}
                  className={linkClass}
                >
                  {server.data?.name ?? (server.isError ? 'Tunnel server' : '…')}
                </Link>
              ),
            ],
            ['Tunnel IP', factText(client.data.tunnelIp, true)],
            [
              'Gateway',
              client.data.isGateway ? (
                <Badge key="gateway" tone="green">
                  Gateway
                </Badge>
              ) : (
                'No'
              ),
            ],
            ['LAN networks', factText(client.data.lanNetworks.join(', ') || null, true)],
            ['LAN IP', factText(client.data.lanIp, true)],
          ]}
        />
      )}
    </Section>
  )
}
