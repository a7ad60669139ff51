/** An agent's connection status as a coloured pill; it changes live with the agent. */
import type { AgentStatus } from '@wirewarp/protocol'
import { Badge } from '../../components/Badge.tsx'
import { statusTitles } from './agentLabels.ts'

const tones = { connected: 'green', disconnected: 'neutral', pending: 'amber' } as const

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return (
    <Badge tone={tones[status]} title={statusTitles[status]} data-testid="agent-status">
      {status}
    </Badge>
  )
}
