/**
 * One tunnel server: its settings and its devices' defaults (editable), whether its agent applied
 * them, and its peers as last sampled.
 */
import type { TunnelServer } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { useTunnelServerStatus } from '../../api/tunnelServerStatus.ts'
import { useTunnelServer } from '../../api/tunnels.ts'
import { Button } from '../../components/Button.tsx'
import { DetailPage } from '../../components/DetailPage.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Section } from '../../components/Section.tsx'
import { useNow } from '../../format/useNow.ts'
import { AgentStatusBadge } from '../agents/AgentStatusBadge.tsx'
import { DeviceDefaultsForm } from './DeviceDefaultsForm.tsx'
import { ServerApplyState } from './ServerApplyState.tsx'
import { TunnelPeers } from './TunnelPeers.tsx'
import { TunnelServerForm } from './TunnelServerForm.tsx'
import { TunnelsBackLink } from './TunnelsBackLink.tsx'

const linkClass =
  'text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

export function TunnelServerPage() {
  return (
    <DetailPage
      useItem={useTunnelServer}
      noun="tunnel server"
      title="Tunnel server"
      back={<TunnelsBackLink />}
      list={{ to: '/tunnel-servers', label: 'Go to the tunnels' }}
      goneHint="It is deleted with its agent."
    >
      {/* A fresh form per server: its fields start from that server's settings. */}
      {(server) => <TunnelServerDetail key={server.id} server={server} />}
    </DetailPage>
  )
}

function TunnelServerDetail({ server }: { server: TunnelServer }) {
  // Handshake and sample ages count seconds.
  const now = useNow(1_000)
  const status = useTunnelServerStatus(server.id)

  return (
    <>
      <TunnelsBackLink />
      <PageHeader
        title={server.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            Tunnel server
            {server.publicIp && <span className="font-mono text-xs">{server.publicIp}</span>}
            <AgentStatusBadge status={status.data?.agent.status ?? server.status} />
          </span>
        }
        actions={
          <Link to={`/port-forwards?server=${encodeURIComponent(server.id)}`} className={linkClass}>
            Port forwards
          </Link>
        }
      />

      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
          <Section title="Settings">
            <TunnelServerForm server={server} />
          </Section>
          <Section title="Server agent">
            {status.isPending ? (
              <Loading />
            ) : status.isError ? (
              <LoadError error={status.error} onRetry={() => status.refetch()} />
            ) : (
              <ServerApplyState agentId={server.agentId} agent={status.data.agent} now={now} />
            )}
          </Section>
        </div>

        <Section title="Device defaults">
          <DeviceDefaultsForm server={server} />
        </Section>

        <Section
          title="Peers"
          actions={
            // Samples arrive every 30 s with no live event; refresh on demand instead of polling.
            <Button size="sm" tone="ghost" onClick={() => status.refetch()} pending={status.isFetching}>
              Refresh
            </Button>
          }
        >
          {status.isPending ? (
            <Loading />
          ) : status.isError ? (
            <LoadError error={status.error} onRetry={() => status.refetch()} />
          ) : (
            <TunnelPeers status={status.data} now={now} />
          )}
        </Section>
      </div>
    </>
  )
}
