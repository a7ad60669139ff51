/** Route guard: renders its children for a signed-in user, otherwise sends them to /login and back after. */
import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import { useMe } from '../api/auth.ts'
import { LoadError, Loading } from '../components/QueryStatus.tsx'
import { SessionContext } from './SessionContext.ts'

export interface LoginLocationState {
  from?: string
}

export function RequireSession({ children }: { children: ReactNode }) {
  const me = useMe()
  const location = useLocation()

  if (me.isPending) {
    return (
      <div className="flex min-h-screen items-center justify-center">
        <Loading />
      </div>
    )
  }
  if (me.isError) {
    return (
      <div className="mx-auto max-w-md p-8">
        <LoadError error={me.error} onRetry={() => me.refetch()} />
      </div>
    )
  }
  if (!me.data) {
    const state: LoginLocationState = { from: location.pathname + location.search }
    return <Navigate to="/login" replace state={state} />
  }
  return <SessionContext value={me.data}>{children}</SessionContext>
}
