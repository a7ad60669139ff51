/** Whether the server agent runs the latest settings: its status, applied / desired revision, last apply error. */
import type { TunnelServerStatus } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { Alert } from '../../components/Alert.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { FactList } from '../../components/FactList.tsx'
import { AgentStatusBadge } from '../agents/AgentStatusBadge.tsx'
import { RevisionStatus } from '../agents/RevisionStatus.tsx'

export function ServerApplyState({
  agentId,
  agent,
  now,
}: {
  agentId: string
  agent: TunnelServerStatus['agent']
  now: number
}) {
  return (
    <div className="space-y-3">
      {agent.lastApplyError && (
        <Alert title="The server agent could not apply the last change">
          <pre data-testid="apply-error" className="mt-1 font-mono text-xs break-words whitespace-pre-wrap">
            {agent.lastApplyError}
          </pre>
        </Alert>
      )}
      <FactList
        rows={[
          ['Status', <AgentStatusBadge key="status" status={agent.status} />],
          ['Applied / desired', <RevisionStatus key="revision" agent={agent} />],
          ['Last applied', <DateTime key="applied" iso={agent.lastAppliedAt} now={now} empty="Never" />],
          [
            'Agent',
            <Link
              key="agent"
              to={`/agents/${encodeURIComponent(agentId)}`}
              className="font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400"
            >
              Agent details
            </Link>,
          ],
        ]}
      />
    </div>
  )
}
