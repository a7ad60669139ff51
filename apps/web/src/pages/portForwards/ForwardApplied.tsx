/**
 * One status per forward that a person can act on: "disabled"; "pending" (changed since the server
 * agent last applied) or "agent offline" (waiting for the agent); "tunnel down" (applied, but the
 * client's tunnel carries nothing, with the reason); "working" (applied and the tunnel is up).
 */
import type { AgentStatus, TunnelState } from '@wirewarp/protocol'

type State = 'disabled' | 'working' | 'tunnel_down' | 'pending' | 'offline' | 'unknown'

const looks: Record<State, { label: string; dot: string; text: string }> = {
  disabled: { label: 'disabled', dot: 'bg-zinc-300 dark:bg-zinc-600', text: 'text-zinc-500 dark:text-zinc-400' },
  working: { label: 'working', dot: 'bg-emerald-500', text: 'text-emerald-700 dark:text-emerald-400' },
  tunnel_down: { label: 'tunnel down', dot: 'bg-red-500', text: 'text-red-700 dark:text-red-400' },
  pending: { label: 'pending', dot: 'bg-amber-500', text: 'text-amber-700 dark:text-amber-400' },
  offline: { label: 'agent offline', dot: 'bg-zinc-400 dark:bg-zinc-500', text: 'text-zinc-500 dark:text-zinc-400' },
  unknown: { label: '—', dot: '', text: 'text-zinc-400 dark:text-zinc-500' },
}

export function ForwardApplied({
  enabled,
  applied,
  agentStatus,
  tunnel,
}: {
  enabled: boolean
  /** From the server's status; undefined for a forward the status does not list yet (just created). */
  applied: boolean | undefined
  /** Undefined while the status loads or when it could not be loaded. */
  agentStatus: AgentStatus | undefined
  /** The tunnel of the forward's client; undefined while the clients load. */
  tunnel: TunnelState | undefined
}) {
  const state: State = !enabled
    ? 'disabled'
    : agentStatus === undefined
      ? 'unknown'
      : agentStatus !== 'connected'
        ? 'offline'
        : !applied
          ? 'pending'
          : tunnel === undefined
            ? 'unknown'
            : tunnel.state === 'up'
              ? 'working'
              : 'tunnel_down'
  const title = {
    disabled: 'Disabled: kept, but not applied on the server',
    working: 'Applied on the server, and the tunnel to the client is up',
    tunnel_down: `Applied on the server, but the tunnel to the client is down: ${tunnel?.message ?? ''}`,
    pending: 'the server agent has not applied this change yet',
    offline: applied
      ? 'The server agent is not connected; it had applied this forward when it was last connected'
      : 'The server agent is not connected; it applies this change when it reconnects',
    unknown: 'Whether this forward works is not known yet',
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
      {state === 'tunnel_down' && tunnel?.message && (
        <span className="font-normal text-zinc-500 dark:text-zinc-400">({tunnel.message})</span>
      )}
    </span>
  )
}
