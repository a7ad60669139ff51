/**
 * One agent in the list: name (links to its page), kind, live status, version (outdated, Update,
 * the last update's outcome), last seen, revision, apply error.
 */
import type { Agent } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { Badge } from '../../components/Badge.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { Td, Tr } from '../../components/Table.tsx'
import { AgentStatusBadge } from './AgentStatusBadge.tsx'
import { OutdatedBadge, UpdateButton, UpdateOutcome } from './AgentUpdate.tsx'
import { LastSeen } from './LastSeen.tsx'
import { RevisionStatus } from './RevisionStatus.tsx'

export function AgentRow({ agent: a, now }: { agent: Agent; now: number }) {
  return (
    <Tr data-testid="agent-row" data-agent-id={a.id}>
      <Td className="whitespace-nowrap">
        <Link
          to={`/agents/${encodeURIComponent(a.id)}`}
          className="font-medium text-zinc-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-100"
        >
          {a.name}
        </Link>
        {a.hostname && a.hostname !== a.name && (
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">{a.hostname}</span>
        )}
      </Td>
      <Td>
        <Badge tone={a.kind === 'server' ? 'sky' : 'neutral'}>{a.kind}</Badge>
      </Td>
      <Td>
        <AgentStatusBadge status={a.status} uninstalledAt={a.uninstalledAt} />
      </Td>
      <Td className="text-xs text-zinc-600 dark:text-zinc-400">
        <span className="flex flex-wrap items-center gap-1.5">
          <span className="font-mono" data-testid="agent-version">
            {a.version ?? <span className="text-zinc-400 dark:text-zinc-500">—</span>}
          </span>
          <OutdatedBadge agent={a} />
          <UpdateButton agent={a} size="sm" />
        </span>
        <UpdateOutcome agent={a} />
      </Td>
      <Td>
        <LastSeen agent={a} now={now} />
      </Td>
      <Td>
        <RevisionStatus agent={a} />
      </Td>
      <Td>
        {a.lastApplyError ? (
          <Badge tone="red" title={a.lastApplyError} data-testid="agent-apply-error">
            Apply failed
          </Badge>
        ) : (
          <span data-testid="agent-last-apply">
            <DateTime iso={a.lastAppliedAt} now={now} empty="never applied" />
          </span>
        )}
      </Td>
    </Tr>
  )
}
