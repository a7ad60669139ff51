/** Shown when rendering a page throws: what went wrong, and a way back, instead of a blank screen. */
import { isRouteErrorResponse, useRouteError } from 'react-router'
import { Alert } from '../components/Alert.tsx'
import { Button } from '../components/Button.tsx'

export function CrashPage() {
  const error = useRouteError()
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error)
  return (
    <div className="mx-auto max-w-lg px-4 py-16">
      <Alert title="Something went wrong on this page">
        <p className="font-mono text-xs break-words">{message}</p>
      </Alert>
      <div className="mt-4 flex gap-2">
        <Button tone="primary" onClick={() => window.location.reload()}>
          Reload
        </Button>
        <Button onClick={() => window.location.assign('/')}>Go to the dashboard</Button>
      </div>
    </div>
  )
}
