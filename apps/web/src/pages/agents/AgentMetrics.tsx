/** The agent's latest metrics sample (CPU, memory, load, uptime) and CPU over the samples fetched. */
import type { ReactNode } from 'react'
import { useAgentMetrics } from '../../api/agents.ts'
import { Button } from '../../components/Button.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Section } from '../../components/Section.tsx'
import { Sparkline } from '../../components/Sparkline.tsx'
import { formatBytes } from '../../format/formatBytes.ts'
import { formatDuration } from '../../format/formatDuration.ts'
import { readMetricsSample } from './readMetricsSample.ts'

export function AgentMetrics({ agentId, now }: { agentId: string; now: number }) {
  const metrics = useAgentMetrics(agentId)
  // Samples are not pushed live (one every 30 s per agent would be noise); refresh on demand.
  const refresh = (
    <Button size="sm" tone="ghost" onClick={() => metrics.refetch()} pending={metrics.isFetching}>
      Refresh
    </Button>
  )
  return (
    <Section title="Metrics" actions={refresh}>
      {metrics.isPending ? (
        <Loading />
      ) : metrics.isError ? (
        <LoadError error={metrics.error} onRetry={() => metrics.refetch()} />
      ) : (
        <MetricsSummary points={metrics.data.items} now={now} />
      )}
    </Section>
  )
}

function MetricsSummary({ points, now }: { points: { at: string; sample: Record<string, unknown> }[]; now: number }) {
  const latest = points.at(-1)
  if (!latest) {
    return <EmptyNote>No samples yet. A connected agent sends one every 30 seconds.</EmptyNote>
  }
  const s = readMetricsSample(latest.sample)
  const cpuSeries = points.map((p) => readMetricsSample(p.sample).cpu).filter((v) => v !== undefined)
  const memoryShare =
    s.memoryUsedBytes !== undefined && s.memoryTotalBytes ? s.memoryUsedBytes / s.memoryTotalBytes : undefined

  return (
    <div className="rounded-lg border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div className="grid grid-cols-2">
        <Tile label="CPU" className="border-r border-b">
          <Value>{s.cpu !== undefined ? `${Math.round(s.cpu * 100)} %` : '—'}</Value>
          <Sparkline
            values={cpuSeries}
            label={`CPU over the last ${cpuSeries.length} samples`}
            className="mt-1 h-8 w-full"
          />
        </Tile>
        <Tile label="Memory" className="border-b">
          <Value>
            {s.memoryUsedBytes !== undefined ? formatBytes(s.memoryUsedBytes) : '—'}
            {s.memoryTotalBytes !== undefined && (
              <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">
                {' '}
                of {formatBytes(s.memoryTotalBytes)}
              </span>
            )}
          </Value>
          {memoryShare !== undefined && (
            <div className="mt-2 h-1.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
              <div
                className="h-full rounded-full bg-sky-600 dark:bg-sky-400"
                style={{ width: `${Math.min(100, Math.round(memoryShare * 100))}%` }}
              />
            </div>
          )}
        </Tile>
        <Tile label="Load (1, 5, 15 min)" className="border-r">
          <Value>{s.load ? s.load.map((l) => l.toFixed(2)).join('  ') : '—'}</Value>
        </Tile>
        <Tile label="Uptime">
          <Value>{s.uptimeSeconds !== undefined ? formatDuration(s.uptimeSeconds * 1000) : '—'}</Value>
        </Tile>
      </div>
      <p className="border-t border-zinc-100 px-4 py-2 text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
        Sampled <DateTime iso={latest.at} now={now} />; the chart shows the last {points.length}{' '}
        {points.length === 1 ? 'sample' : 'samples'}.
      </p>
    </div>
  )
}

function Tile({ label, className = '', children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div className={`min-w-0 border-zinc-100 px-4 py-3 dark:border-zinc-800 ${className}`}>
      <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      {children}
    </div>
  )
}

function Value({ children }: { children: ReactNode }) {
  return (
    <p className="mt-0.5 text-lg font-semibold text-zinc-900 tabular-nums whitespace-nowrap dark:text-zinc-100">
      {children}
    </p>
  )
}
