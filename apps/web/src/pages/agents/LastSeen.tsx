/** When an agent was last heard from, to the second; "now" while it is connected. */
import type { Agent } from '@wirewarp/protocol'
import { DateTime } from '../../components/DateTime.tsx'
import { formatDateTime } from '../../format/formatDate.ts'

export function LastSeen({ agent, now }: { agent: Pick<Agent, 'status' | 'lastSeenAt'>; now: number }) {
  // Heartbeats refresh lastSeenAt on the server without an event, so for a connected agent the
  // stored time lags; connected means it was heard from within the last heartbeat.
  if (agent.status === 'connected') {
    return (
      <span
        className="whitespace-nowrap text-emerald-700 dark:text-emerald-400"
        title={agent.lastSeenAt ? `Connected; last recorded ${formatDateTime(agent.lastSeenAt)}` : 'Connected'}
      >
        now
      </span>
    )
  }
  return <DateTime iso={agent.lastSeenAt} now={now} empty="Never" />
}
