/**
 * One agent: its facts (status live, what its host offers), tunnel, metrics, last drift repair,
 * capabilities and command history; ping, diagnostics, restart, update (or hold at its version),
 * check for drift, uninstall and delete.
 */
import type { Agent, CommandCreate } from '@wirewarp/protocol'
import { type ReactNode, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { useAgent, useDeleteAgent, useHoldVersion, useSendCommand } from '../../api/agents.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { DetailPage } from '../../components/DetailPage.tsx'
import { FactList, factText } from '../../components/FactList.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Section } from '../../components/Section.tsx'
import { Toggle } from '../../components/Toggle.tsx'
import { useNow } from '../../format/useNow.ts'
import { AgentCapabilities } from './AgentCapabilities.tsx'
import { AgentDrift } from './AgentDrift.tsx'
import { AgentMetrics } from './AgentMetrics.tsx'
import { AgentStatusBadge } from './AgentStatusBadge.tsx'
import { AgentTunnel } from './AgentTunnel.tsx'
import { OutdatedBadge, UpdateButton, UpdateOutcome } from './AgentUpdate.tsx'
import { kindLabels } from './agentLabels.ts'
import { CommandHistory } from './CommandHistory.tsx'
import { CommandResult } from './CommandResult.tsx'
import { hostFactRows } from './hostFactRows.tsx'
import { LastSeen } from './LastSeen.tsx'
import { RevisionStatus } from './RevisionStatus.tsx'

export function AgentDetailPage() {
  // Owned here, not by AgentDetail: the stream announces the deletion before the DELETE answers, and
  // the page must stay (and then leave for the list) instead of switching to "does not exist".
  const remove = useDeleteAgent()
  const leaving = remove.isPending || remove.isSuccess

  return (
    <DetailPage
      useItem={useAgent}
      noun="agent"
      title="Agent"
      back={<BackLink />}
      list={{ to: '/agents', label: 'Go to the agents' }}
      goneHint="It may have been deleted."
      keepOnError={leaving}
    >
      {/* A fresh component per agent drops the previous agent's command result and dialogs. */}
      {(agent) => <AgentDetail key={agent.id} agent={agent} remove={remove} />}
    </DetailPage>
  )
}

function BackLink() {
  return (
    <Link
      to="/agents"
      className="mb-2 inline-block text-sm font-medium text-zinc-600 hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-400 dark:hover:text-white"
    >
      ← Agents
    </Link>
  )
}

type Confirming = 'restart' | 'uninstall' | 'delete' | null

function AgentDetail({ agent, remove }: { agent: Agent; remove: ReturnType<typeof useDeleteAgent> }) {
  const now = useNow()
  const navigate = useNavigate()
  const send = useSendCommand(agent.id)
  const hold = useHoldVersion(agent.id)
  const [confirming, setConfirming] = useState<Confirming>(null)

  const connected = agent.status === 'connected'
  const sending = send.isPending ? send.variables.command : null
  const run = (command: CommandCreate['command']) => send.mutate({ command, wait: true })
  const commandButton = (
    command: CommandCreate['command'],
    label: string,
    onClick = () => run(command),
    size?: 'sm',
  ) => (
    <Button
      size={size}
      onClick={onClick}
      pending={sending === command}
      disabled={!connected || send.isPending}
      title={connected ? undefined : 'The agent is not connected'}
    >
      {label}
    </Button>
  )

  const facts: [string, ReactNode][] = [
    ['Kind', kindLabels[agent.kind]],
    ['Status', <AgentStatusBadge key="status" status={agent.status} uninstalledAt={agent.uninstalledAt} />],
    ['Hostname', factText(agent.hostname)],
    [
      'Version',
      <span key="version" className="block">
        <span className="flex flex-wrap items-center gap-1.5">
          <span data-testid="agent-version">{factText(agent.version, true)}</span>
          <OutdatedBadge agent={agent} />
        </span>
        <UpdateOutcome agent={agent} />
      </span>,
    ],
    [
      'Updates',
      <span key="hold" className="flex flex-wrap items-center gap-2">
        <Toggle
          checked={agent.holdVersion}
          onChange={(v) => hold.mutate(v)}
          label="Hold at this version"
          disabled={hold.isPending}
        />
        <span>Hold at this version</span>
        {hold.isError && <span className="text-xs text-red-700 dark:text-red-300">{hold.error.message}</span>}
      </span>,
    ],
    ['OS / arch', factText([agent.os, agent.arch].filter(Boolean).join(' / '))],
    ...hostFactRows(agent),
    ['Public IP', factText(agent.publicIp, true)],
    ['Created', <DateTime key="created" iso={agent.createdAt} absolute />],
    ['Last seen', <LastSeen key="seen" agent={agent} now={now} />],
    ['Applied / desired', <RevisionStatus key="revision" agent={agent} />],
    ['Last applied', <DateTime key="applied" iso={agent.lastAppliedAt} now={now} empty="Never" />],
  ]

  return (
    <>
      <BackLink />
      <PageHeader
        title={agent.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            {kindLabels[agent.kind]}
            <AgentStatusBadge status={agent.status} uninstalledAt={agent.uninstalledAt} />
          </span>
        }
        actions={
          <>
            {commandButton('ping', 'Ping')}
            {commandButton('diagnostics', 'Diagnostics')}
            {commandButton('restart', 'Restart agent', () => setConfirming('restart'))}
            <UpdateButton agent={agent} />
            {commandButton('uninstall', 'Uninstall', () => setConfirming('uninstall'))}
            <Button tone="danger" onClick={() => setConfirming('delete')}>
              Delete agent
            </Button>
          </>
        }
      />

      <div className="space-y-6">
        {send.isError && <Alert>Could not send the command: {send.error.message}</Alert>}
        {send.data && <CommandResult entry={send.data} onDismiss={() => send.reset()} />}
        {agent.keyConflict && (
          <Alert title="WireGuard key refused">
            <p data-testid="key-conflict" className="mt-1 break-words">
              {agent.keyConflict}
            </p>
          </Alert>
        )}
        {agent.lastApplyError && (
          <Alert title="The last apply failed">
            <pre data-testid="apply-error" className="mt-1 font-mono text-xs break-words whitespace-pre-wrap">
              {agent.lastApplyError}
            </pre>
          </Alert>
        )}

        <div className="grid gap-6 lg:grid-cols-2">
          <Section title="Agent">
            <FactList rows={facts} />
          </Section>
          <div className="space-y-6">
            <AgentTunnel agent={agent} />
            <AgentMetrics agentId={agent.id} now={now} />
            <AgentDrift
              agent={agent}
              now={now}
              checkButton={commandButton('check_drift', 'Check now', undefined, 'sm')}
            />
          </div>
        </div>

        <Section title="Capabilities">
          <AgentCapabilities capabilities={agent.capabilities} />
        </Section>

        <Section title="Command history">
          <CommandHistory agentId={agent.id} now={now} />
        </Section>
      </div>

      <ConfirmDialog
        open={confirming === 'restart'}
        title="Restart this agent?"
        confirmLabel="Restart agent"
        onClose={() => setConfirming(null)}
        onConfirm={() => {
          setConfirming(null)
          run('restart')
        }}
      >
        <p>
          The agent process on <strong>{agent.hostname ?? agent.name}</strong> restarts and reconnects. Tunnels and
          forwards already applied stay up while it does.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'uninstall'}
        title="Uninstall the agent from this host?"
        confirmLabel="Uninstall"
        onClose={() => setConfirming(null)}
        onConfirm={() => {
          setConfirming(null)
          run('uninstall')
        }}
      >
        {agent.commands.includes('uninstall') ? (
          <>
            <p>
              The agent on <strong>{agent.hostname ?? agent.name}</strong> removes what it set up — the nftables table
              inet wirewarp, its ip rules and routes, its WireGuard interface and DOCKER-USER accepts — so its tunnels
              and port forwards stop at once. Then it removes its executable, its config (with its credential), its
              state and its service, reports, and exits. Sysctls and the packages the installer added (WireGuard tools,
              nftables) stay.
            </p>
            <p>Its row stays here, marked uninstalled, until you delete it.</p>
          </>
        ) : (
          <p>
            This agent version ({agent.version ?? 'unknown'}) cannot uninstall itself; the server will refuse. Run the
            install script with <code className="font-mono text-xs">--uninstall</code> on the host instead, or update
            the agent first.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'delete'}
        title="Delete this agent?"
        confirmLabel="Delete agent"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          setConfirming(null)
          remove.reset()
        }}
        onConfirm={() => remove.mutate(agent.id, { onSuccess: () => navigate('/agents', { replace: true }) })}
      >
        <p>
          <strong>{agent.name}</strong> is deleted with its tunnel {agent.kind} and the port forwards that use it
          {agent.kind === 'server' ? '; its clients lose their server' : ''}. The agent’s credential stops working at
          once. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}
