/** Shown for any path the dashboard does not know. */
import { Link } from 'react-router'
import { Logo } from '../components/Logo.tsx'

export function NotFoundPage() {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <Logo className="size-10" />
      <div>
        <p className="text-sm font-semibold text-zinc-500 dark:text-zinc-400">404</p>
        <h1 className="mt-1 text-xl font-semibold tracking-tight">Page not found</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">There is no page at this address.</p>
      </div>
      <Link
        to="/"
        className="rounded-md text-sm font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400"
      >
        Go to the dashboard
      </Link>
    </div>
  )
}
