/**
 * A timestamp shown relative ("2 hours ago") with the exact time on hover; a dash when there is none.
 * Pass `now` from a ticking clock (useNow) to keep it current to the second.
 */
import { formatDateTime, formatRelative } from '../format/formatDate.ts'

export function DateTime({
  iso,
  absolute = false,
  empty = '—',
  now,
}: {
  iso: string | null
  absolute?: boolean
  empty?: string
  now?: number
}) {
  if (!iso) return <span className="text-zinc-400 dark:text-zinc-500">{empty}</span>
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="whitespace-nowrap">
      {absolute ? formatDateTime(iso) : formatRelative(iso, now, now !== undefined)}
    </time>
  )
}
