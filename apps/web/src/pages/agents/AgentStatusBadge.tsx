/** An agent's connection status as a coloured pill; it changes live with the agent. */
import type { AgentStatus } from '@wirewarp/protocol'
import { Badge } from '../../components/Badge.tsx'
import { statusTitles, uninstalledTitle } from './agentLabels.ts'

const tones = { connected: 'green', disconnected: 'neutral', pending: 'amber' } as const

export function AgentStatusBadge({ status, uninstalledAt }: { status: AgentStatus; uninstalledAt?: string | null }) {
  // An agent that says hello again is installed again, whatever it did before.
  if (uninstalledAt && status !== 'connected')
    return (
      <Badge tone="neutral" title={uninstalledTitle} data-testid="agent-status">
        uninstalled
      </Badge>
    )
  return (
    <Badge tone={tones[status]} title={statusTitles[status]} data-testid="agent-status">
      {status}
    </Badge>
  )
}
