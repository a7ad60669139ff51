/** A client's tunnel as its server last reported it: "up", or "down" with the reason beside it. */
import type { TunnelState } from '@wirewarp/protocol'
import { Badge } from '../../components/Badge.tsx'

export function TunnelStateBadge({ tunnel }: { tunnel: TunnelState }) {
  if (tunnel.state === 'up')
    return (
      <Badge
        tone="green"
        data-testid="tunnel-state"
        data-state="up"
        title="A WireGuard handshake in the last 3 minutes"
      >
        up
      </Badge>
    )
  return (
    <span
      className="inline-flex flex-wrap items-center gap-x-1.5 gap-y-0.5"
      data-testid="tunnel-state"
      data-state="down"
    >
      <Badge tone="red">down</Badge>
      <span className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="tunnel-down-reason">
        {tunnel.message}
      </span>
    </span>
  )
}
