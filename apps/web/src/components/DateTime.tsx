/** A timestamp shown relative ("2 hours ago") with the exact time on hover; a dash when there is none. */
import { formatDateTime, formatRelative } from '../format/formatDate.ts'

export function DateTime({
  iso,
  absolute = false,
  empty = '—',
}: {
  iso: string | null
  absolute?: boolean
  empty?: string
}) {
  if (!iso) return <span className="text-zinc-400 dark:text-zinc-500">{empty}</span>
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="whitespace-nowrap">
      {absolute ? formatDateTime(iso) : formatRelative(iso)}
    </time>
  )
}
