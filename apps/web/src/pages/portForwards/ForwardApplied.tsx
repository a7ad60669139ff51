/**
 * Whether the server runs a forward as it is now: "applied", "pending" (changed since the agent last
 * applied), or "agent offline" when the server agent is not connected and nothing can be applied.
 */
import type { AgentStatus } from '@wirewarp/protocol'

type State = 'applied' | 'pending' | 'offline' | 'unknown'

const looks: Record<State, { label: string; dot: string; text: string }> = {
  applied: { label: 'applied', dot: 'bg-emerald-500', text: 'text-emerald-700 dark:text-emerald-400' },
  pending: { label: 'pending', dot: 'bg-amber-500', text: 'text-amber-700 dark:text-amber-400' },
  offline: { label: 'agent offline', dot: 'bg-zinc-400 dark:bg-zinc-500', text: 'text-zinc-500 dark:text-zinc-400' },
  unknown: { label: '—', dot: '', text: 'text-zinc-400 dark:text-zinc-500' },
}

export function ForwardApplied({
  applied,
  agentStatus,
}: {
  /** From the server's status; undefined for a forward the status does not list yet (just created). */
  applied: boolean | undefined
  /** Undefined while the status loads or when it could not be loaded. */
  agentStatus: AgentStatus | undefined
}) {
  const state: State =
    agentStatus === undefined ? 'unknown' : agentStatus !== 'connected' ? 'offline' : applied ? 'applied' : 'pending'
  const title = {
    applied: 'The server agent has applied this forward as it is now',
    pending: 'the server agent has not applied this change yet',
    offline: applied
      ? 'The server agent is not connected; it had applied this forward when it was last connected'
      : 'The server agent is not connected; it applies this change when it reconnects',
    unknown: 'Whether the server applied this forward is not known yet',
  }[state]
  const look = looks[state]
  return (
    <span
      data-testid="forward-applied"
      data-state={state}
      title={title}
      className={`inline-flex items-center gap-1.5 text-xs font-medium whitespace-nowrap ${look.text}`}
    >
      {look.dot && <span aria-hidden="true" className={`size-2 rounded-full ${look.dot}`} />}
      {look.label}
    </span>
  )
}
