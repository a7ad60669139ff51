/** A command's outcome as a pill: pending while the agent works on it, then success, failed or timeout. */
import type { CommandStatus } from '@wirewarp/protocol'
import { Badge } from '../../components/Badge.tsx'

const tones = { pending: 'sky', success: 'green', failed: 'red', timeout: 'amber' } as const

export function CommandStatusBadge({ status }: { status: CommandStatus }) {
  return (
    <Badge tone={tones[status]} data-testid="command-status">
      {status}
    </Badge>
  )
}
