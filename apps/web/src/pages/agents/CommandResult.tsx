/** The answer to the command just sent from this page: outcome, time taken, and the result JSON. */
import type { CommandLogEntry } from '@wirewarp/protocol'
import { Button } from '../../components/Button.tsx'
import { JsonBlock } from '../../components/JsonBlock.tsx'
import { formatDuration } from '../../format/formatDuration.ts'
import { CommandStatusBadge } from './CommandStatusBadge.tsx'
import { commandDurationMs } from './commandDuration.ts'

export function CommandResult({ entry, onDismiss }: { entry: CommandLogEntry; onDismiss: () => void }) {
  const ms = commandDurationMs(entry)
  return (
    <div
      data-testid="command-result"
      className="rounded-lg border border-zinc-200 bg-white p-3 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-center justify-between gap-3">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <span className="font-mono font-medium">{entry.command}</span>
          <CommandStatusBadge status={entry.status} />
          {ms !== null && <span className="text-zinc-500 dark:text-zinc-400">in {formatDuration(ms)}</span>}
        </p>
        <Button size="sm" tone="ghost" onClick={onDismiss}>
          Dismiss
        </Button>
      </div>
      {entry.error && (
        <p className="mt-2 font-mono text-xs break-words text-red-700 dark:text-red-400">{entry.error}</p>
      )}
      {entry.result != null && (
        <details open className="mt-2">
          <summary className="cursor-pointer text-sm font-medium text-zinc-700 select-none dark:text-zinc-300">
            Result
          </summary>
          <JsonBlock value={entry.result} className="mt-2 max-h-72" />
        </details>
      )}
    </div>
  )
}
