/** The agent's commands, newest first; new ones and their outcomes arrive live from the event stream. */
import type { CommandLogEntry } from '@wirewarp/protocol'
import { useAgentCommands } from '../../api/agents.ts'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { JsonBlock } from '../../components/JsonBlock.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { formatDuration } from '../../format/formatDuration.ts'
import { CommandStatusBadge } from './CommandStatusBadge.tsx'
import { commandDurationMs } from './commandDuration.ts'

export function CommandHistory({ agentId, now }: { agentId: string; now: number }) {
  const commands = useAgentCommands(agentId)

  if (commands.isPending) return <Loading />
  if (commands.isError) return <LoadError error={commands.error} onRetry={() => commands.refetch()} />
  const { items, total } = commands.data
  if (items.length === 0) {
    return <EmptyNote>No commands yet. Ping the agent to check that it answers.</EmptyNote>
  }
  return (
    <>
      <Table>
        <THead>
          <tr>
            <Th>Command</Th>
            <Th>Status</Th>
            <Th>Requested by</Th>
            <Th>Sent</Th>
            <Th>Duration</Th>
            <Th>Result</Th>
          </tr>
        </THead>
        <TBody>
          {items.map((c) => (
            <Tr key={c.id} data-testid="command-row" data-command-id={c.id} className="align-top">
              <Td className="font-mono text-sm">{c.command}</Td>
              <Td>
                <CommandStatusBadge status={c.status} />
              </Td>
              <Td className="max-w-48 truncate" title={c.requestedBy ?? undefined}>
                {c.requestedBy ?? <span className="text-zinc-500 dark:text-zinc-400">system</span>}
              </Td>
              <Td>
                <DateTime iso={c.createdAt} now={now} />
              </Td>
              <Td className="tabular-nums whitespace-nowrap">{duration(c)}</Td>
              <Td>
                <CommandOutput entry={c} />
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {total > items.length && (
        <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
          The newest {items.length} of {total} commands.
        </p>
      )}
    </>
  )
}

function duration(c: CommandLogEntry) {
  const ms = commandDurationMs(c)
  return ms === null ? <span className="text-zinc-400 dark:text-zinc-500">—</span> : formatDuration(ms)
}

function CommandOutput({ entry: c }: { entry: CommandLogEntry }) {
  if (c.error === null && c.result == null) return <span className="text-zinc-400 dark:text-zinc-500">—</span>
  return (
    <details className="max-w-md">
      <summary
        className={`cursor-pointer text-sm select-none ${c.error ? 'text-red-700 dark:text-red-400' : 'text-sky-700 dark:text-sky-400'}`}
      >
        {c.error ? truncate(c.error, 60) : 'Show result'}
      </summary>
      <div className="mt-2 space-y-2">
        {c.error && <JsonBlock value={c.error} className="max-h-64 whitespace-pre-wrap" />}
        {c.result != null && <JsonBlock value={c.result} className="max-h-64" />}
      </div>
    </details>
  )
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
