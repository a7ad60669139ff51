/** The signed-in account as the server knows it, and where to change its password. */
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { useSession } from '../auth/SessionContext.ts'
import { Badge } from '../components/Badge.tsx'
import { DateTime } from '../components/DateTime.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { Section } from '../components/Section.tsx'
import { ChangePasswordForm } from './ChangePasswordForm.tsx'

export function ProfilePage() {
  const me = useSession()
  const rows: [string, ReactNode][] = [
    ['Name', me.name],
    ['Email', me.email],
    [
      'Role',
      <Badge key="role" tone={me.role === 'admin' ? 'sky' : 'neutral'}>
        {me.role}
      </Badge>,
    ],
    ['Signed in with', me.authMethod === 'session' ? 'Password (browser session)' : 'API token'],
    ['Last sign-in', <DateTime key="last" iso={me.lastLoginAt} absolute />],
    ['Account created', <DateTime key="created" iso={me.createdAt} absolute />],
  ]
  return (
    <>
      <PageHeader
        title="Profile"
        description="Your account. You can change your password below; an administrator can change your name, email or role."
      />
      <dl className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white shadow-sm dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-1 gap-1 px-4 py-3 text-sm sm:grid-cols-[12rem_1fr]">
            <dt className="font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
            <dd className="text-zinc-900 dark:text-zinc-100">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">
        To call the API from scripts, create a token on the{' '}
        <Link to="/api-tokens" className="font-medium text-sky-700 hover:underline dark:text-sky-400">
          API tokens
        </Link>{' '}
        page.
      </p>
      <Section title="Change password" className="mt-8">
        <ChangePasswordForm />
      </Section>
    </>
  )
}
