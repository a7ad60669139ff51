/**
 * The frame around every signed-in page: navigation for the user's role, who is signed in, sign out;
 * for an admin, also the live event stream that keeps agent pages current.
 *
 * From the md breakpoint up the navigation is a sidebar and a header holds the theme, the profile and
 * "Sign out". Below it (a phone) one top bar holds the name, the theme and a "Menu" button that opens
 * the links, the profile and "Sign out" as a vertical list; it closes on navigation and on Escape.
 */
import type { Role } from '@wirewarp/protocol'
import { Suspense, useEffect, useId, useRef, useState, useSyncExternalStore } from 'react'
import { Link, NavLink, Outlet, useLocation } from 'react-router'
import { useSignOut } from '../api/auth.ts'
import { useLiveEvents } from '../api/useLiveEvents.ts'
import { homePath } from '../auth/homePath.ts'
import { useSession } from '../auth/SessionContext.ts'
import { Button } from '../components/Button.tsx'
import { Logo } from '../components/Logo.tsx'
import { Loading } from '../components/QueryStatus.tsx'
import { ThemeToggle } from '../theme/ThemeToggle.tsx'

interface NavItem {
  to: string
  label: string
  roles: readonly Role[]
  /** Other paths that belong to this section (a client's page is reached from the list of servers). */
  alsoActiveUnder?: readonly string[]
}

const navItems: readonly NavItem[] = [
  { to: '/overview', label: 'Overview', roles: ['admin'] },
  { to: '/agents', label: 'Agents', roles: ['admin'] },
  { to: '/tunnel-servers', label: 'Tunnels', roles: ['admin'], alsoActiveUnder: ['/tunnel-clients'] },
  { to: '/port-forwards', label: 'Port forwards', roles: ['admin'] },
  { to: '/service-templates', label: 'Service templates', roles: ['admin'] },
  { to: '/users', label: 'Users', roles: ['admin'] },
  { to: '/devices', label: 'My devices', roles: ['admin', 'user'] },
  { to: '/admin/devices', label: 'Devices', roles: ['admin'] },
  { to: '/rules', label: 'Rules', roles: ['admin'] },
  { to: '/settings/vpn', label: 'VPN settings', roles: ['admin'] },
  { to: '/api-tokens', label: 'API tokens', roles: ['admin', 'user'] },
  { to: '/audit-log', label: 'Audit log', roles: ['admin'] },
]

/** Tailwind's md breakpoint: from here on the sidebar and the header replace the top bar and its menu. */
const desktopQuery = '(min-width: 48rem)'

function subscribeDesktop(onChange: () => void) {
  const query = window.matchMedia(desktopQuery)
  query.addEventListener('change', onChange)
  return () => query.removeEventListener('change', onChange)
}

function useIsDesktop(): boolean {
  return useSyncExternalStore(subscribeDesktop, () => window.matchMedia(desktopQuery).matches)
}

const focusRing = 'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500'

const navLinkClass = ({ isActive }: { isActive: boolean }) =>
  `block rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap ${focusRing} ${
    isActive
      ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900'
      : 'text-zinc-700 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white'
  }`

const profileLinkClass = `block min-w-0 truncate rounded-md px-2 py-1 text-sm text-zinc-700 hover:text-zinc-900 ${focusRing} dark:text-zinc-300 dark:hover:text-white`

export function AppLayout() {
  const me = useSession()
  const signOut = useSignOut()
  const { pathname } = useLocation()
  const items = navItems.filter((item) => item.roles.includes(me.role))
  // The stream is admin only on the server, like every page it updates.
  useLiveEvents(me.role === 'admin')

  const [menuOpen, setMenuOpen] = useState(false)
  const menuId = useId()
  const menuButton = useRef<HTMLButtonElement>(null)
  // One theme button at a time (in the top bar or in the header), so it always shows the saved choice.
  const isDesktop = useIsDesktop()

  // Any navigation (a link in the menu, back, a link on the page) closes the menu.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of path
  useEffect(() => {
    setMenuOpen(false)
  }, [pathname])
  // Wider than a phone there is no menu to be open; narrow again, it starts closed.
  useEffect(() => {
    if (isDesktop) setMenuOpen(false)
  }, [isDesktop])

  useEffect(() => {
    if (!menuOpen) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return
      setMenuOpen(false)
      menuButton.current?.focus()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [menuOpen])

  return (
    <div className="min-h-screen md:grid md:grid-cols-[14rem_1fr]">
      <aside className="sticky top-0 z-30 border-b border-zinc-200 bg-white md:h-screen md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex h-14 items-center justify-between gap-2 px-4">
          <Link
            to={homePath(me.role)}
            className={`flex items-center gap-2 rounded-md font-semibold tracking-tight ${focusRing}`}
          >
            <Logo />
            WireWarp
          </Link>
          <div className="flex items-center gap-1 md:hidden">
            {!isDesktop && <ThemeToggle />}
            <Button
              ref={menuButton}
              size="sm"
              aria-expanded={menuOpen}
              aria-controls={menuId}
              onClick={() => setMenuOpen((open) => !open)}
            >
              <MenuIcon open={menuOpen} />
              Menu
            </Button>
          </div>
        </div>
        <nav
          id={menuId}
          aria-label="Main"
          className={`${menuOpen ? 'block' : 'hidden'} max-h-[calc(100dvh-3.5rem)] overflow-y-auto border-t border-zinc-200 px-3 py-3 md:block md:max-h-none md:border-t-0 md:pt-0 dark:border-zinc-800`}
        >
          <ul className="flex flex-col gap-1">
            {items.map((item) => (
              <li key={item.to}>
                <NavLink
                  to={item.to}
                  onClick={() => setMenuOpen(false)}
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
          {/* On a phone the header below is hidden: who is signed in and "Sign out" live in the menu. */}
          <div className="mt-3 flex items-center justify-between gap-2 border-t border-zinc-200 pt-3 md:hidden dark:border-zinc-800">
            <Link to="/profile" className={profileLinkClass} title="Your profile" onClick={() => setMenuOpen(false)}>
              {me.email}
            </Link>
            <Button size="sm" className="shrink-0" onClick={() => signOut.mutate()} pending={signOut.isPending}>
              Sign out
            </Button>
          </div>
        </nav>
      </aside>

      <div className="min-w-0">
        <header className="hidden h-14 items-center justify-end gap-2 border-b border-zinc-200 bg-white/80 px-6 backdrop-blur md:flex dark:border-zinc-800 dark:bg-zinc-900/80">
          {isDesktop && <ThemeToggle />}
          <Link to="/profile" className={`max-w-[16rem] ${profileLinkClass}`} title="Your profile">
            {me.email}
          </Link>
          <Button size="sm" onClick={() => signOut.mutate()} pending={signOut.isPending}>
            Sign out
          </Button>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
          {/* The VPN's pages load as a chunk of their own on first use. */}
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  )
}

function MenuIcon({ open }: { open: boolean }) {
  return (
    <svg
      className="size-4"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      aria-hidden="true"
    >
      {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
    </svg>
  )
}
