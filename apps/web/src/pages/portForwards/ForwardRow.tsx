/**
 * One forward in the table, with its own enable switch so each row shows its own pending state, and
 * whether the server applied it and the traffic it carried.
 */
import type { AgentStatus, PortForward, TunnelServerStatus, TunnelState } from '@wirewarp/protocol'
import { useSetForwardEnabled } from '../../api/portForwards.ts'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { Td, Tr } from '../../components/Table.tsx'
import { Toggle } from '../../components/Toggle.tsx'
import { formatBytes } from '../../format/formatBytes.ts'
import { ForwardApplied } from './ForwardApplied.tsx'
import { formatDestination, formatPortRange } from './formatForward.ts'

interface ForwardRowProps {
  forward: PortForward
  clientName: string
  /** This forward in the server's status; undefined until the status lists it. */
  state: TunnelServerStatus['forwards'][number] | undefined
  agentStatus: AgentStatus | undefined
  /** The tunnel of the forward's client; undefined while the clients load. */
  tunnel: TunnelState | undefined
  onEdit: () => void
  onDelete: () => void
  onToggleError: (forward: PortForward, error: Error) => void
}

export function ForwardRow({
  forward: f,
  clientName,
  state,
  agentStatus,
  tunnel,
  onEdit,
  onDelete,
  onToggleError,
}: ForwardRowProps) {
  const setEnabled = useSetForwardEnabled()
  return (
    <Tr
      data-testid="forward-row"
      data-forward-id={f.id}
      className={f.enabled ? '' : 'text-zinc-500 dark:text-zinc-400'}
    >
      <Td className="whitespace-nowrap">
        <span className="flex items-center gap-2">
          <Badge tone={f.protocol === 'udp' ? 'amber' : f.protocol === 'tcp' ? 'sky' : 'neutral'}>{f.protocol}</Badge>
          <span className="font-mono text-sm tabular-nums">{formatPortRange(f.publicPort, f.publicPortEnd)}</span>
        </span>
      </Td>
      <Td className="min-w-48 max-w-72">
        <span className="block truncate font-medium" title={f.description || undefined}>
          {f.description || <span className="font-normal text-zinc-400 dark:text-zinc-500">No description</span>}
        </span>
        <span className="flex flex-wrap items-center gap-x-1.5 gap-y-0.5 text-xs text-zinc-500 dark:text-zinc-400">
          <span className="font-mono whitespace-nowrap">→ {formatDestination(f)}</span>
          <span className="whitespace-nowrap">via {clientName}</span>
          {f.preserveClientIp && (
            <Badge tone="green" title="The service sees each visitor's own address">
              Real client IP
            </Badge>
          )}
        </span>
      </Td>
      <Td>
        <Toggle
          label="Enabled"
          checked={f.enabled}
          disabled={setEnabled.isPending}
          onChange={(enabled) =>
            setEnabled.mutate({ id: f.id, enabled }, { onError: (error) => onToggleError(f, error) })
          }
        />
      </Td>
      <Td>
        <ForwardApplied enabled={f.enabled} applied={state?.applied} agentStatus={agentStatus} tunnel={tunnel} />
        <span
          data-testid="forward-traffic"
          className="flex flex-wrap gap-x-1 text-xs text-zinc-500 tabular-nums dark:text-zinc-400"
        >
          {state?.bytes != null ? (
            <>
              <span className="whitespace-nowrap">{formatBytes(state.bytes)}</span>
              {state.packets != null && (
                <span className="whitespace-nowrap">
                  ({state.packets.toLocaleString()} {state.packets === 1 ? 'packet' : 'packets'})
                </span>
              )}
            </>
          ) : (
            <span className="text-zinc-400 dark:text-zinc-500" title="The server agent has not reported traffic for it">
              —
            </span>
          )}
        </span>
      </Td>
      <Td className="text-right whitespace-nowrap">
        <Button size="sm" tone="ghost" onClick={onEdit}>
          Edit
        </Button>
        <Button size="sm" tone="ghost" onClick={onDelete}>
          Delete
        </Button>
      </Td>
    </Tr>
  )
}
