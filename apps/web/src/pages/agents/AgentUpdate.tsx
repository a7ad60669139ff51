/**
 * Self-update on the dashboard: the "outdated" badge naming the newest version, the last update's
 * outcome in words, and the Update button that asks first, naming the versions from → to.
 */
import type { Agent } from '@wirewarp/protocol'
import { useState } from 'react'
import { useUpdateAgent } from '../../api/agents.ts'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'

/** "outdated → 0.2.0" when a newer release is offered for this agent's build; "held" when held. */
export function OutdatedBadge({ agent }: { agent: Agent }) {
  return (
    <>
      {agent.outdated && agent.latestVersion && (
        <Badge
          tone="amber"
          data-testid="agent-outdated"
          title={`Version ${agent.latestVersion} is offered for this agent`}
        >
          outdated → {agent.latestVersion}
        </Badge>
      )}
      {agent.holdVersion && (
        <Badge tone="neutral" data-testid="agent-held" title="Update all outdated skips this agent">
          held
        </Badge>
      )}
    </>
  )
}

/** The last update in words: "updated 0.1.0 → 0.2.0", "rolled back: …". */
export function updateOutcomeText(update: NonNullable<Agent['update']>): string {
  switch (update.state) {
    case 'updating':
      return `updating ${update.from} → ${update.to}…`
    case 'confirmed':
      return `updated ${update.from} → ${update.to}`
    case 'rolled_back':
      return `rolled back to ${update.from}: ${update.reason ?? 'the new version did not start'}`
    case 'failed':
      return `update to ${update.to} failed: ${update.reason ?? 'unknown reason'}`
  }
}

const outcomeTone = { updating: 'sky', confirmed: 'green', rolled_back: 'red', failed: 'red' } as const

export function UpdateOutcome({ agent }: { agent: Agent }) {
  if (!agent.update) return null
  return (
    <span
      data-testid="agent-update-outcome"
      data-state={agent.update.state}
      className={`block text-xs break-words ${
        outcomeTone[agent.update.state] === 'red'
          ? 'text-red-700 dark:text-red-300'
          : outcomeTone[agent.update.state] === 'green'
            ? 'text-emerald-700 dark:text-emerald-300'
            : 'text-sky-700 dark:text-sky-300'
      }`}
    >
      {updateOutcomeText(agent.update)}
    </span>
  )
}

const UPDATE_STALE_MS = 15 * 60_000

/** Why the Update button cannot be used now, or undefined when it can. */
function whyNot(agent: Agent): string | undefined {
  if (!agent.commands.includes('update'))
    return 'This agent version cannot update itself; re-run the install command on the host (it updates in place).'
  if (agent.status !== 'connected') return 'The agent is not connected'
  // The server gives up on an update this old (its command timeout and deadline together).
  if (agent.update?.state === 'updating' && Date.now() - Date.parse(agent.update.at) < UPDATE_STALE_MS)
    return 'An update is under way'
  return undefined
}

/** "Update", shown while the agent is outdated; asks first, naming from → to, and says when the agent is held. */
export function UpdateButton({ agent, size = 'md' }: { agent: Agent; size?: 'sm' | 'md' }) {
  const update = useUpdateAgent(agent.id)
  const [confirming, setConfirming] = useState(false)
  if (!agent.outdated || !agent.latestVersion) return null
  const blocked = whyNot(agent)
  const from = agent.version ?? 'unknown'
  return (
    <>
      <Button
        size={size}
        onClick={() => setConfirming(true)}
        disabled={blocked !== undefined && agent.commands.includes('update')}
        title={blocked}
        pending={update.isPending}
        data-testid="agent-update"
      >
        Update
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Update ${agent.name}?`}
        confirmLabel={`Update to ${agent.latestVersion}`}
        pending={update.isPending}
        error={update.error}
        onClose={() => {
          setConfirming(false)
          update.reset()
        }}
        onConfirm={() => update.mutate({}, { onSuccess: () => setConfirming(false) })}
      >
        {agent.commands.includes('update') ? (
          <>
            <p>
              The agent on <strong>{agent.hostname ?? agent.name}</strong> updates from{' '}
              <strong className="font-mono">{from}</strong> to{' '}
              <strong className="font-mono">{agent.latestVersion}</strong>: it downloads the release, checks its
              SHA-256, keeps the running version as a backup and restarts. If the new version does not connect and apply
              its configuration within 120 s, the backup comes back by itself.
            </p>
            {agent.holdVersion && <p>This agent is held at its version; updating it anyway keeps it held.</p>}
          </>
        ) : (
          <p>
            This agent version ({from}) cannot update itself; the server will refuse. Re-run the install command on the
            host: it sees the registered agent and updates it in place.
          </p>
        )}
      </ConfirmDialog>
    </>
  )
}
