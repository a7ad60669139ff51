/** Label–value rows in a card, like the profile page: the facts about one thing. */
import type { ReactNode } from 'react'

export function FactList({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white shadow-sm dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
      {rows.map(([label, value]) => (
        <div key={label} className="grid grid-cols-1 gap-1 px-4 py-2.5 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
          <dd className="min-w-0 break-words text-zinc-900 dark:text-zinc-100">{value}</dd>
        </div>
      ))}
    </dl>
  )
}

/** What a fact list shows for a value that is not known (yet). */
export function Unknown({ children = '—' }: { children?: ReactNode }) {
  return <span className="text-zinc-400 dark:text-zinc-500">{children}</span>
}

/** A text fact, or Unknown when it is empty; `mono` for addresses, versions and other machine text. */
export function factText(value: string | number | null | undefined, mono = false): ReactNode {
  if (value === null || value === undefined || value === '') return <Unknown />
  return mono ? <span className="font-mono text-xs">{value}</span> : value
}
