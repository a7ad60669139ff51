/**
 * The frame of every page about one item (`/agents/:id`, `/tunnel-servers/:id` …): reads the route's
 * `:id`, says so when it is not an id (without asking the server), then shows loading, "does not
 * exist" with the way back to the list, or the error (with a retry when one can help), and finally
 * the page itself with the loaded item.
 */
import type { UseQueryResult } from '@tanstack/react-query'
import { Id } from '@wirewarp/protocol'
import type { ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { isApiError } from '../api/ApiError.ts'
import { EmptyState } from './EmptyState.tsx'
import { PageHeader } from './PageHeader.tsx'
import { LoadError, Loading } from './QueryStatus.tsx'

const linkClass =
  'text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

export interface DetailPageProps<T> {
  /** The item's query; called with null (and then must not fetch) when the route's id is not an id. */
  useItem: (id: string | null) => UseQueryResult<T>
  /** What the item is, in a sentence: "agent", "tunnel server". */
  noun: string
  /** The heading while the item loads: "Agent". */
  title: string
  /** Shown above every state: the way back to the list. */
  back: ReactNode
  /** Where "does not exist" points to. */
  list: { to: string; label: string }
  /** Why an item may be gone: "It may have been deleted." */
  goneHint?: ReactNode
  /** Keep the page on its last data even when the item is gone: it is being deleted and will leave. */
  keepOnError?: boolean
  children: (item: T) => ReactNode
}

export function DetailPage<T>({
  useItem,
  noun,
  title,
  back,
  list,
  goneHint,
  keepOnError = false,
  children,
}: DetailPageProps<T>) {
  const { id: raw = '' } = useParams()
  // The server's own check (a UUID): a looser one would send ids the server answers with a 400.
  const id = Id.safeParse(raw).success ? raw : null
  const item = useItem(id)
  const listLink = (
    <Link className={linkClass} to={list.to}>
      {list.label}
    </Link>
  )

  if (id === null) {
    return (
      <>
        {back}
        <EmptyState title={`This ${noun} link is not valid`} action={listLink}>
          <span className="font-mono break-all">{raw || '(nothing)'}</span> is not an id: the link may be incomplete or
          mistyped.
        </EmptyState>
      </>
    )
  }
  // A failed refetch keeps showing what was loaded; a 404 means the item is gone.
  if (item.isError && (isApiError(item.error, 404) || item.data === undefined) && !(keepOnError && item.data)) {
    return (
      <>
        {back}
        {isApiError(item.error, 404) ? (
          <EmptyState title={`This ${noun} does not exist`} action={listLink}>
            {goneHint}
          </EmptyState>
        ) : (
          <LoadError error={item.error} onRetry={() => item.refetch()} />
        )}
      </>
    )
  }
  if (item.data === undefined) {
    return (
      <>
        {back}
        <PageHeader title={title} />
        <Loading />
      </>
    )
  }
  return children(item.data)
}
