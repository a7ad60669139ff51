/** What a page shows while its data loads, or when loading failed (with a retry when one can help). */
import { canRetry } from '../api/ApiError.ts'
import { Alert } from './Alert.tsx'
import { Button, Spinner } from './Button.tsx'

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="flex items-center gap-2 py-10 text-sm text-zinc-500 dark:text-zinc-400" role="status">
      <Spinner className="size-4" />
      {label}
    </div>
  )
}

/** `onRetry` shows "Try again" only for errors that may go away (network, 5xx): a 4xx comes back the same. */
export function LoadError({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <Alert title="Could not load this page">
      <p>{error.message}</p>
      {onRetry && canRetry(error) && (
        <Button size="sm" className="mt-2" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  )
}
