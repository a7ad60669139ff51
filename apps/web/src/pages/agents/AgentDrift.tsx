/**
 * Drift: the last repair the agent reported (it checks every 60 s that its WireGuard peers,
 * nftables table and routes still match what it applied, and puts back what someone changed),
 * and a button that has it check now.
 */
import type { Agent } from '@wirewarp/protocol'
import type { ReactNode } from 'react'
import { Badge } from '../../components/Badge.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { Section } from '../../components/Section.tsx'

export function AgentDrift({ agent, now, checkButton }: { agent: Agent; now: number; checkButton: ReactNode }) {
  const r = agent.lastRepair
  return (
    <Section title="Drift repair" actions={agent.commands.includes('check_drift') ? checkButton : undefined}>
      {r === null ? (
        <EmptyNote>
          {agent.commands.includes('check_drift')
            ? 'No drift repaired yet: the host has matched the applied state at every check.'
            : 'This agent version does not check its host for drift; update it.'}
        </EmptyNote>
      ) : (
        <div
          data-testid="last-repair"
          className="rounded-lg border border-zinc-200 bg-white p-3 text-sm shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
        >
          <p className="flex flex-wrap items-center gap-2">
            {r.ok ? <Badge tone="green">Repaired</Badge> : <Badge tone="red">Repair failed</Badge>}
            <DateTime iso={r.at} now={now} />
          </p>
          {r.items.length > 0 && (
            <ul className="mt-2 space-y-1">
              {r.items.map((i, n) => (
                // Items have no id; their order is the report's.
                // biome-ignore lint/suspicious/noArrayIndexKey: a report's items never move
                <li key={n} className="break-words">
                  <span className="font-mono text-xs font-medium">{i.what}</span>{' '}
                  <span className="text-zinc-700 dark:text-zinc-300">{i.detail}</span>
                </li>
              ))}
            </ul>
          )}
          {r.error && <p className="mt-2 font-mono text-xs break-words text-red-700 dark:text-red-400">{r.error}</p>}
        </div>
      )}
    </Section>
  )
}
