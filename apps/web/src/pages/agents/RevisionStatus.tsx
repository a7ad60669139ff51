/** "rev 3 / 3": the revision the agent applied against the one it should have, highlighted when behind. */
import type { Agent } from '@wirewarp/protocol'

export function RevisionStatus({ agent }: { agent: Pick<Agent, 'appliedRevision' | 'desiredRevision'> }) {
  const { appliedRevision: applied, desiredRevision: desired } = agent
  const behind = applied < desired
  const title = behind
    ? `Applied revision ${applied}; revision ${desired} is waiting to be applied`
    : `Applied the latest revision (${desired})`
  return (
    <span
      title={title}
      data-testid="agent-revision"
      className={`font-mono text-xs whitespace-nowrap tabular-nums ${
        behind
          ? 'rounded bg-amber-50 px-1.5 py-0.5 font-semibold text-amber-800 ring-1 ring-amber-200 ring-inset dark:bg-amber-950/50 dark:text-amber-300 dark:ring-amber-900'
          : 'text-zinc-600 dark:text-zinc-400'
      }`}
    >
      rev {applied} / {desired}
    </span>
  )
}
