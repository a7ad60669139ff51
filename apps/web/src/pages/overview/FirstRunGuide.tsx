/**
 * What a new admin sees before any agent exists: the two jobs WireWarp does, each as the few
 * steps that get it working, with a link to where each step is done.
 */
import type { ReactNode } from 'react'
import { Link } from 'react-router'

const focusRing = 'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500'
const linkClass = `font-medium text-sky-700 hover:underline dark:text-sky-400 ${focusRing}`

interface Step {
  /** Names the step among its path's (React's key). */
  key: string
  text: ReactNode
  to?: string
  link?: string
}

function Path({ id, title, intro, steps }: { id: string; title: string; intro: string; steps: Step[] }) {
  return (
    <section
      data-testid={`first-run-${id}`}
      className="rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
      <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{intro}</p>
      <ol className="mt-4 space-y-3">
        {steps.map((s, i) => (
          <li key={s.key} className="flex gap-3 text-sm text-zinc-700 dark:text-zinc-300">
            <span className="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-xs font-semibold text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
              {i + 1}
            </span>
            <span className="min-w-0">
              {s.text}
              {s.to && (
                <>
                  {' '}
                  <Link to={s.to} className={linkClass}>
                    {s.link}
                  </Link>
                </>
              )}
            </span>
          </li>
        ))}
      </ol>
    </section>
  )
}

const code = 'rounded bg-zinc-100 px-1 py-0.5 font-mono text-xs break-all dark:bg-zinc-800'

export function FirstRunGuide() {
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <Path
        id="sites"
        title="Publish a homelab through a VPS"
        intro="Game servers, a web app or RDP behind CGNAT, reachable on the VPS's public IP."
        steps={[
          { key: 'vps-agent', text: 'Install a server agent on the VPS.', to: '/agents', link: 'Agents → Add agent' },
          {
            key: 'public-ip',
            text: 'Check the VPS’s public IP and interface on its tunnel server.',
            to: '/tunnel-servers',
            link: 'Tunnels',
          },
          {
            key: 'homelab-agent',
            text: 'Install a client agent in the homelab, naming that tunnel server.',
            to: '/agents',
            link: 'Add agent',
          },
          {
            key: 'first-forward',
            text: 'Create the first port forward, from scratch or a template (Minecraft, DayZ, web, RDP).',
            to: '/port-forwards',
            link: 'Port forwards',
          },
        ]}
      />
      <Path
        id="vpn"
        title="A VPN on one VPS"
        intro="Laptops and phones with the stock WireGuard app, to the internet or your sites' networks."
        steps={[
          {
            key: 'single-host',
            text: (
              <>
                Run this server on the VPS with <code className={code}>serve --local-agent</code> (or{' '}
                <code className={code}>WIREWARP_LOCAL_AGENT=true</code>): it runs its own tunnel server agent, nothing
                to paste. Or install a server agent on the VPS as for a homelab.
              </>
            ),
          },
          {
            key: 'first-device',
            text: 'Add your first device; scan its QR code with the WireGuard app.',
            to: '/devices',
            link: 'My devices',
          },
          { key: 'rules', text: 'Decide who reaches what: the default policy and rules.', to: '/rules', link: 'Rules' },
          { key: 'users', text: 'Add the people who use it.', to: '/users', link: 'Users' },
        ]}
      />
    </div>
  )
}
