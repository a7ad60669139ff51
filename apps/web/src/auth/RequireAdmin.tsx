/** Route guard for admin-only pages. The server enforces roles; this only avoids a page full of 403s. */
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { EmptyState } from '../components/EmptyState.tsx'
import { homePath } from './homePath.ts'
import { useSession } from './SessionContext.ts'

export function RequireAdmin({ children }: { children: ReactNode }) {
  const me = useSession()
  if (me.role === 'admin') return children
  return (
    <EmptyState
      title="This page is for administrators"
      action={
        <Link className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400" to={homePath(me.role)}>
          Go to your start page
        </Link>
      }
    >
      Your account has the role “{me.role}”. Ask an administrator if you need access.
    </EmptyState>
  )
}
