/**
 * The admin's landing page: how many agents are connected, tunnels up and forwards working, then
 * each agent, tunnel and forward that is not, with the reason and a link to where it is fixed.
 */
import type { Overview } from '@wirewarp/protocol'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { useOverview } from '../../api/overview.ts'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { RefreshButton } from '../../components/RefreshButton.tsx'
import { Section } from '../../components/Section.tsx'
import { formatDestination, formatPortRange } from '../portForwards/formatForward.ts'
import { FirstRunGuide } from './FirstRunGuide.tsx'

const description = 'Whether every agent is connected, every tunnel up and every forward working — and why not.'

const focusRing = 'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500'
const linkClass = `text-sm font-medium text-sky-700 hover:underline dark:text-sky-400 ${focusRing}`
const card = 'rounded-lg border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900'

type Tone = 'green' | 'red' | 'amber' | 'grey'

const dots: Record<Tone, string> = {
  green: 'bg-emerald-500',
  red: 'bg-red-500',
  amber: 'bg-amber-500',
  grey: 'bg-zinc-300 dark:bg-zinc-600',
}
const reasonText: Record<Tone, string> = {
  green: 'text-emerald-700 dark:text-emerald-400',
  red: 'text-red-700 dark:text-red-400',
  amber: 'text-amber-700 dark:text-amber-400',
  grey: 'text-zinc-600 dark:text-zinc-400',
}

export function OverviewPage() {
  const overview = useOverview()
  const header = (
    <PageHeader
      title="Overview"
      description={description}
      actions={
        overview.isSuccess && (
          <RefreshButton label="Refresh" busy={overview.isFetching} onClick={() => void overview.refetch()} />
        )
      }
    />
  )
  if (overview.isPending)
    return (
      <>
        {header}
        <Loading />
      </>
    )
  if (overview.isError)
    return (
      <>
        {header}
        <LoadError error={overview.error} onRetry={() => overview.refetch()} />
      </>
    )
  const o = overview.data
  if (o.agents.total === 0)
    return (
      <>
        {header}
        <EmptyState
          title="Nothing to watch yet — add your first agents"
          action={
            <Link to="/agents" className={linkClass}>
              Go to Agents → Add agent
            </Link>
          }
        >
          Install a server agent on your VPS, then a client agent in your homelab. This page then shows whether each one
          is connected, each tunnel is up and each port forward works.
        </EmptyState>
        <div className="mt-6">
          <FirstRunGuide />
        </div>
      </>
    )
  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <StatCard
          name="agents"
          title="Agents"
          to="/agents"
          good={o.agents.connected}
          of={o.agents.total}
          goodLabel="connected"
          parts={[
            { key: 'connected', label: 'connected', count: o.agents.connected, tone: 'green' },
            { key: 'disconnected', label: 'disconnected', count: o.agents.disconnected, tone: 'red' },
            { key: 'pending', label: 'never connected', count: o.agents.pending, tone: 'amber' },
          ]}
        />
        <StatCard
          name="tunnels"
          title="Tunnels"
          to="/tunnel-servers"
          good={o.tunnels.up}
          of={o.tunnels.total}
          goodLabel="up"
          empty="No tunnel clients yet"
          parts={[
            { key: 'up', label: 'up', count: o.tunnels.up, tone: 'green' },
            { key: 'down', label: 'down', count: o.tunnels.down, tone: 'red' },
          ]}
        />
        <StatCard
          name="forwards"
          title="Port forwards"
          to="/port-forwards"
          good={o.forwards.working}
          of={o.forwards.total - o.forwards.disabled}
          goodLabel="working"
          empty={o.forwards.total === 0 ? 'No port forwards yet' : 'All disabled'}
          parts={[
            { key: 'working', label: 'working', count: o.forwards.working, tone: 'green' },
            { key: 'not-working', label: 'not working', count: o.forwards.notWorking, tone: 'red' },
            { key: 'disabled', label: 'disabled', count: o.forwards.disabled, tone: 'grey' },
          ]}
        />
      </div>
      <Attention overview={o} />
    </>
  )
}

interface Part {
  key: string
  label: string
  count: number
  tone: Tone
}

function StatCard({
  name,
  title,
  to,
  good,
  of,
  goodLabel,
  empty = 'None yet',
  parts,
}: {
  name: string
  title: string
  to: string
  good: number
  of: number
  goodLabel: string
  empty?: string
  parts: Part[]
}) {
  const total = parts.reduce((n, p) => n + p.count, 0)
  return (
    <section aria-label={title} data-testid={`overview-${name}`} className={`${card} flex flex-col p-4`}>
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="text-sm font-medium text-zinc-600 dark:text-zinc-400">{title}</h2>
        <Link to={to} className={`text-xs ${linkClass}`}>
          View
        </Link>
      </div>
      {of === 0 ? (
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">{empty}</p>
      ) : (
        <p className="mt-1 flex items-baseline gap-1.5">
          <span className="text-3xl font-semibold tracking-tight text-zinc-900 tabular-nums dark:text-white">
            {good}
          </span>
          <span className="text-sm text-zinc-500 tabular-nums dark:text-zinc-400">
            of {of} {goodLabel}
          </span>
        </p>
      )}
      {total > 0 && (
        <>
          <div className="mt-3 flex h-1.5 gap-0.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
            {parts
              .filter((p) => p.count > 0)
              .map((p) => (
                <span key={p.key} className={dots[p.tone]} style={{ width: `${(100 * p.count) / total}%` }} />
              ))}
          </div>
          <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
            {parts.map((p) => (
              // A zero is no news: it stays grey whatever its colour would be.
              <li
                key={p.key}
                className={`inline-flex items-center gap-1.5 ${p.count === 0 ? 'text-zinc-400 dark:text-zinc-500' : ''}`}
              >
                <span
                  aria-hidden="true"
                  className={`size-2 rounded-full ${p.count === 0 ? 'bg-zinc-200 dark:bg-zinc-700' : dots[p.tone]}`}
                />
                <span
                  data-testid={`count-${name}-${p.key}`}
                  className={`font-semibold tabular-nums ${p.count === 0 ? '' : 'text-zinc-900 dark:text-zinc-100'}`}
                >
                  {p.count}
                </span>
                {p.label}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

function Attention({ overview: o }: { overview: Overview }) {
  const { agents, tunnels, forwards } = o.attention
  const nothing = agents.length === 0 && tunnels.length === 0 && forwards.length === 0
  return (
    <Section title="Needs attention" className="mt-8">
      {nothing ? (
        <AllGood overview={o} />
      ) : (
        <div className="space-y-6">
          <Group
            title="Agents not connected"
            shown={agents.length}
            count={o.agents.disconnected + o.agents.pending}
            more={{ to: '/agents', label: 'Agents' }}
          >
            {agents.map((a) => (
              <Item
                key={a.id}
                kind="agent"
                id={a.id}
                to={`/agents/${encodeURIComponent(a.id)}`}
                name={a.name}
                context={a.kind === 'server' ? 'server (VPS)' : 'client (homelab)'}
                tone={a.status === 'pending' ? 'amber' : 'red'}
                reason={
                  a.status === 'pending' ? (
                    'registered, but it has never connected'
                  ) : (
                    <>
                      disconnected; last seen <DateTime iso={a.lastSeenAt} empty="never" />
                    </>
                  )
                }
              />
            ))}
          </Group>
          <Group
            title="Tunnels down"
            shown={tunnels.length}
            count={o.tunnels.down}
            more={{ to: '/tunnel-servers', label: 'Tunnels' }}
          >
            {tunnels.map((c) => (
              <Item
                key={c.id}
                kind="tunnel"
                id={c.id}
                to={`/tunnel-clients/${encodeURIComponent(c.id)}`}
                name={c.name}
                context={c.tunnelServerName ? `to ${c.tunnelServerName}` : 'no tunnel server'}
                tone="red"
                reason={c.message}
              />
            ))}
          </Group>
          <Group
            title="Port forwards not working"
            shown={forwards.length}
            count={o.forwards.notWorking}
            more={{ to: '/port-forwards', label: 'Port forwards' }}
          >
            {forwards.map((f) => (
              <Item
                key={f.id}
                kind="forward"
                id={f.id}
                to={`/port-forwards?server=${encodeURIComponent(f.tunnelServerId)}`}
                name={
                  <>
                    <span className="uppercase">{f.protocol}</span> {formatPortRange(f.publicPort, f.publicPortEnd)}
                    <span className="font-normal text-zinc-500 dark:text-zinc-400"> → {formatDestination(f)}</span>
                  </>
                }
                context={[f.description, `${f.tunnelServerName} → ${f.tunnelClientName ?? '?'}`]
                  .filter(Boolean)
                  .join(' · ')}
                tone={f.state === 'tunnel_down' ? 'red' : 'amber'}
                reason={f.message}
                state={f.state}
              />
            ))}
          </Group>
        </div>
      )}
    </Section>
  )
}

function Group({
  title,
  shown,
  count,
  more,
  children,
}: {
  title: string
  shown: number
  count: number
  more: { to: string; label: string }
  children: ReactNode
}) {
  if (shown === 0) return null
  return (
    <div>
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
        {title} <span className="tabular-nums">({count})</span>
      </h3>
      <ul className={`${card} divide-y divide-zinc-100 overflow-hidden dark:divide-zinc-800`}>{children}</ul>
      {count > shown && (
        <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
          And {count - shown} more: see{' '}
          <Link to={more.to} className={linkClass}>
            {more.label}
          </Link>
          .
        </p>
      )}
    </div>
  )
}

function Item({
  kind,
  id,
  to,
  name,
  context,
  tone,
  reason,
  state,
}: {
  kind: 'agent' | 'tunnel' | 'forward'
  id: string
  to: string
  name: ReactNode
  context: string
  tone: Tone
  reason: ReactNode
  state?: string
}) {
  return (
    <li data-testid={`attention-${kind}`} data-id={id} data-state={state}>
      <Link
        to={to}
        className={`group flex items-start gap-3 px-4 py-3 hover:bg-zinc-50 dark:hover:bg-zinc-800/50 ${focusRing} focus-visible:ring-inset`}
      >
        <span aria-hidden="true" className={`mt-1.5 size-2 shrink-0 rounded-full ${dots[tone]}`} />
        <span className="min-w-0 flex-1">
          <span className="flex flex-wrap items-baseline gap-x-2">
            <span className="font-medium break-words text-zinc-900 group-hover:underline dark:text-zinc-100">
              {name}
            </span>
            {context && <span className="text-xs break-words text-zinc-500 dark:text-zinc-400">{context}</span>}
          </span>
          <span data-testid="attention-reason" className={`mt-0.5 block text-sm ${reasonText[tone]}`}>
            {reason}
          </span>
        </span>
        <span
          aria-hidden="true"
          className="mt-0.5 shrink-0 text-zinc-300 group-hover:text-zinc-500 dark:text-zinc-600 dark:group-hover:text-zinc-400"
        >
          ›
        </span>
      </Link>
    </li>
  )
}

function AllGood({ overview: o }: { overview: Overview }) {
  const next: ReactNode =
    o.tunnels.total === 0 ? (
      <>
        No tunnel yet: on{' '}
        <Link to="/agents" className={linkClass}>
          Agents
        </Link>
        , add a client agent in your homelab that connects to your server.
      </>
    ) : o.forwards.total === 0 ? (
      <>
        No port forward yet: publish a homelab service on{' '}
        <Link to="/port-forwards" className={linkClass}>
          Port forwards
        </Link>
        .
      </>
    ) : null
  return (
    <div
      data-testid="all-good"
      className="flex items-start gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-900/60 dark:bg-emerald-950/40 dark:text-emerald-200"
    >
      <span aria-hidden="true" className="mt-1.5 size-2 shrink-0 rounded-full bg-emerald-500" />
      <div>
        <p className="font-medium">Everything is up.</p>
        <p className="mt-0.5 text-emerald-800 dark:text-emerald-300">
          Every agent is connected, every tunnel up and every enabled forward working.
        </p>
        {next && <p className="mt-2 text-zinc-700 dark:text-zinc-300">{next}</p>}
      </div>
    </div>
  )
}
