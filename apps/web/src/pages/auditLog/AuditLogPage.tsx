/** The audit log: who changed what, from where and when, filtered by action and time. */
import type { AuditEntry } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { type AuditFilters, useAuditLog } from '../../api/auditLog.ts'
import { PAGE_SIZE } from '../../api/Page.ts'
import { Button } from '../../components/Button.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Field, inputClass } from '../../components/Field.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { formatSummary } from './formatSummary.ts'

// Actions the server records today, offered as suggestions; the field accepts any action.
const knownActions = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'user.create',
  'user.update',
  'user.delete',
  'api_token.create',
  'api_token.revoke',
  'port_forward.create',
  'port_forward.create_from_template',
  'port_forward.update',
  'port_forward.delete',
  'service_template.create',
  'service_template.delete',
  'registration_token.create',
  'registration_token.revoke',
  'tunnel_server.update',
  'tunnel_client.update',
  'agent.delete',
]

interface FilterInputs {
  action: string
  from: string
  to: string
}

const noFilters: FilterInputs = { action: '', from: '', to: '' }

/** <input type="datetime-local"> gives local wall time; the API wants an ISO instant. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

export function AuditLogPage() {
  const [inputs, setInputs] = useState<FilterInputs>(noFilters)
  const [applied, setApplied] = useState<FilterInputs>(noFilters)
  const [offset, setOffset] = useState(0)
  const filters: AuditFilters = {
    action: applied.action.trim() || undefined,
    from: localToIso(applied.from),
    to: localToIso(applied.to),
    limit: PAGE_SIZE,
    offset,
  }
  const entries = useAuditLog(filters)
  const filtered = applied.action !== '' || applied.from !== '' || applied.to !== ''

  const apply = (e: FormEvent) => {
    e.preventDefault()
    setApplied(inputs)
    setOffset(0)
  }
  const clear = () => {
    setInputs(noFilters)
    setApplied(noFilters)
    setOffset(0)
  }

  return (
    <>
      <PageHeader title="Audit log" description="Every change made through the API, by whom, from where and when." />

      <form
        onSubmit={apply}
        className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-3 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
      >
        <Field label="Action" name="action" className="w-full sm:w-64">
          {(control) => (
            <>
              <input
                {...control}
                list="audit-actions"
                className={`${inputClass} font-mono`}
                placeholder="any action"
                value={inputs.action}
                onChange={(e) => setInputs({ ...inputs, action: e.target.value })}
              />
              <datalist id="audit-actions">
                {knownActions.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="From" name="from">
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              className={inputClass}
              value={inputs.from}
              onChange={(e) => setInputs({ ...inputs, from: e.target.value })}
            />
          )}
        </Field>
        <Field label="To" name="to">
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              className={inputClass}
              value={inputs.to}
              onChange={(e) => setInputs({ ...inputs, to: e.target.value })}
            />
          )}
        </Field>
        <div className="flex gap-2">
          <Button type="submit" tone="primary" pending={entries.isFetching && entries.isPlaceholderData}>
            Apply filters
          </Button>
          <Button onClick={clear} disabled={!filtered && inputs === noFilters}>
            Clear
          </Button>
        </div>
      </form>

      {entries.isPending ? (
        <Loading />
      ) : entries.isError ? (
        <LoadError error={entries.error} onRetry={() => entries.refetch()} />
      ) : entries.data.items.length === 0 ? (
        <EmptyState title={filtered ? 'No entries match these filters' : 'No entries yet'} />
      ) : (
        <>
          <Table>
            <THead>
              <tr>
                <Th>Time</Th>
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Target</Th>
                <Th>Summary</Th>
              </tr>
            </THead>
            <TBody>
              {entries.data.items.map((entry) => (
                <Tr key={entry.id} data-testid="audit-row">
                  <Td className="align-top">
                    <DateTime iso={entry.at} absolute />
                  </Td>
                  <Td className="align-top">
                    <Actor entry={entry} />
                  </Td>
                  <Td className="align-top font-mono text-xs whitespace-nowrap">{entry.action}</Td>
                  <Td className="align-top">
                    <Target entry={entry} />
                  </Td>
                  <Td className="max-w-md align-top text-xs break-words text-zinc-600 dark:text-zinc-400">
                    {formatSummary(entry.summary)}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination offset={offset} limit={PAGE_SIZE} total={entries.data.total} onChange={setOffset} />
        </>
      )}
    </>
  )
}

function Actor({ entry }: { entry: AuditEntry }) {
  const who = entry.actorEmail ?? (entry.actorId ? `${entry.actorType} ${shortId(entry.actorId)}` : entry.actorType)
  return (
    <div className="min-w-0">
      <div className="truncate">{who}</div>
      <div className="text-xs text-zinc-500 dark:text-zinc-400">
        {entry.actorType === 'token' ? 'API token' : entry.actorType}
        {entry.ip ? ` · ${entry.ip}` : ''}
      </div>
    </div>
  )
}

function Target({ entry }: { entry: AuditEntry }) {
  if (!entry.targetType) return <span className="text-zinc-400 dark:text-zinc-500">—</span>
  return (
    <span className="whitespace-nowrap" title={entry.targetId ?? undefined}>
      {entry.targetType.replaceAll('_', ' ')}
      {entry.targetId && <span className="ml-1 font-mono text-xs text-zinc-500">{shortId(entry.targetId)}</span>}
    </span>
  )
}

// Full UUIDs crowd the table; the first block tells entries apart and the title shows the rest.
const shortId = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id)
