/**
 * The frame around every signed-in page: navigation for the user's role, who is signed in, sign out;
 * for an admin, also the live event stream that keeps agent pages current.
 */
import type { Role } from '@wirewarp/protocol'
import { Link, NavLink, Outlet, useLocation } from 'react-router'
import { useSignOut } from '../api/auth.ts'
import { useLiveEvents } from '../api/useLiveEvents.ts'
import { homePath } from '../auth/homePath.ts'
import { useSession } from '../auth/SessionContext.ts'
import { Button } from '../components/Button.tsx'
import { Logo } from '../components/Logo.tsx'
import { ThemeToggle } from '../theme/ThemeToggle.tsx'

interface NavItem {
  to: string
  label: string
  roles: readonly Role[]
  /** Other paths that belong to this section (a client's page is reached from the list of servers). */
  alsoActiveUnder?: readonly string[]
}

const navItems: readonly NavItem[] = [
  { to: '/agents', label: 'Agents', roles: ['admin'] },
  { to: '/tunnel-servers', label: 'Tunnels', roles: ['admin'], alsoActiveUnder: ['/tunnel-clients'] },
  { to: '/port-forwards', label: 'Port forwards', roles: ['admin'] },
  { to: '/service-templates', label: 'Service templates', roles: ['admin'] },
  { to: '/users', label: 'Users', roles: ['admin'] },
  { to: '/api-tokens', label: 'API tokens', roles: ['admin', 'user'] },
  { to: '/audit-log', label: 'Audit log', roles: ['admin'] },
]

const navLinkClass = ({ isActive }: { isActive: boolean }) =>
  `block rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${
    isActive
      ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900'
      : 'text-zinc-700 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white'
  }`

export function AppLayout() {
  const me = useSession()
  const signOut = useSignOut()
  const { pathname } = useLocation()
  const items = navItems.filter((item) => item.roles.includes(me.role))
  // The stream is admin only on the server, like every page it updates.
  useLiveEvents(me.role === 'admin')

  return (
    <div className="min-h-screen md:grid md:grid-cols-[14rem_1fr]">
      <aside className="border-b border-zinc-200 bg-white md:sticky md:top-0 md:h-screen md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex h-14 items-center px-4">
          <Link
            to={homePath(me.role)}
            className="flex items-center gap-2 rounded-md font-semibold tracking-tight focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
          >
            <Logo />
            WireWarp
          </Link>
        </div>
        <nav aria-label="Main" className="overflow-x-auto px-3 pb-3 md:pb-0">
          <ul className="flex gap-1 md:flex-col">
            {items.map((item) => (
              <li key={item.to}>
                <NavLink
                  to={item.to}
                  className={({ isActive }) =>
                    navLinkClass({
                      isActive: isActive || Boolean(item.alsoActiveUnder?.some((p) => pathname.startsWith(`${p}/`))),
                    })
                  }
                >
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>

      <div className="min-w-0">
        <header className="flex h-14 items-center justify-end gap-2 border-b border-zinc-200 bg-white/80 px-4 backdrop-blur sm:px-6 dark:border-zinc-800 dark:bg-zinc-900/80">
          <ThemeToggle />
          <Link
            to="/profile"
            className="max-w-[16rem] truncate rounded-md px-2 py-1 text-sm text-zinc-700 hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-300 dark:hover:text-white"
            title="Your profile"
          >
            {me.email}
          </Link>
          <Button size="sm" onClick={() => signOut.mutate()} pending={signOut.isPending}>
            Sign out
          </Button>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
          <Outlet />
        </main>
      </div>
    </div>
  )
}
