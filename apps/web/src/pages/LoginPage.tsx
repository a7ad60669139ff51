/** Sign in with email and password; then go back where the session ran out, or to the role's start page. */
import { type FormEvent, useEffect, useState } from 'react'
import { Navigate, useLocation } from 'react-router'
import { isApiError } from '../api/ApiError.ts'
import { useMe, useSignIn } from '../api/auth.ts'
import { homePath } from '../auth/homePath.ts'
import type { LoginLocationState } from '../auth/RequireSession.tsx'
import { Alert } from '../components/Alert.tsx'
import { Button } from '../components/Button.tsx'
import { Field, inputClass } from '../components/Field.tsx'
import { Logo } from '../components/Logo.tsx'
import { Loading } from '../components/QueryStatus.tsx'

export function LoginPage() {
  const me = useMe()
  const signIn = useSignIn()
  const location = useLocation()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const throttled = useThrottled(isApiError(signIn.error, 429) ? signIn.error : null)

  if (me.isPending) return <Loading />
  if (me.data) {
    const from = (location.state as LoginLocationState | null)?.from
    const target = from?.startsWith('/') && !from.startsWith('/login') ? from : homePath(me.data.role)
    return <Navigate to={target} replace />
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    signIn.mutate({ email: email.trim(), password })
  }

  const fields = isApiError(signIn.error) ? signIn.error.fields : {}

  return (
    <div className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center gap-3 text-center">
          <Logo className="size-10" />
          <div>
            <h1 className="text-xl font-semibold tracking-tight">WireWarp</h1>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Use your account to open the dashboard.</p>
          </div>
        </div>
        <form
          onSubmit={onSubmit}
          noValidate
          className="space-y-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
        >
          {signIn.error && Object.keys(fields).length === 0 && <Alert>{signIn.error.message}</Alert>}
          {me.isError && <Alert>{me.error.message}</Alert>}
          <Field label="Email" name="email" error={fields.email}>
            {(control) => (
              <input
                {...control}
                type="email"
                autoComplete="username"
                required
                className={inputClass}
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <Field label="Password" name="password" error={fields.password}>
            {(control) => (
              <input
                {...control}
                type="password"
                autoComplete="current-password"
                required
                className={inputClass}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <Button type="submit" tone="primary" className="w-full" pending={signIn.isPending} disabled={throttled}>
            Sign in
          </Button>
        </form>
      </div>
    </div>
  )
}

/** True while a throttled sign-in's Retry-After lasts; the server's message already says how long. */
function useThrottled(error: { retryAfter: number | null } | null): boolean {
  const [throttled, setThrottled] = useState(false)
  useEffect(() => {
    if (!error?.retryAfter) return setThrottled(false)
    setThrottled(true)
    const timer = setTimeout(() => setThrottled(false), error.retryAfter * 1000)
    return () => clearTimeout(timer)
  }, [error])
  return throttled
}
