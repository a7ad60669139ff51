/** The audit log: who changed what, from where and when, filtered by action, actor, target and time. */
import type { AuditEntry } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { type AuditFilters, useAuditActions, useAuditLog } from '../../api/auditLog.ts'
import { PAGE_SIZE } from '../../api/Page.ts'
import { Button } from '../../components/Button.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Field, inputClass, selectClass } from '../../components/Field.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { actionGroups } from './actionGroups.ts'
import { formatSummary } from './formatSummary.ts'

interface FilterInputs {
  action: string
  actor: string
  target: string
  from: string
  to: string
}

const noFilters: FilterInputs = { action: '', actor: '', target: '', from: '', to: '' }

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
    action: applied.action || undefined,
    actor: applied.actor.trim() || undefined,
    target: applied.target.trim() || undefined,
    from: localToIso(applied.from),
    to: localToIso(applied.to),
    limit: PAGE_SIZE,
    offset,
  }
  const entries = useAuditLog(filters)
  const actions = useAuditActions()
  const filtered = Object.values(applied).some((v) => v.trim() !== '')

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
            <select
              {...control}
              className={selectClass}
              value={inputs.action}
              onChange={(e) => setInputs({ ...inputs, action: e.target.value })}
            >
              <option value="">Any action</option>
              {actionGroups(actions.data ?? []).map((group) => (
                <optgroup key={group.prefix} label={group.label}>
                  <option value={group.prefix}>{group.every}</option>
                  {group.actions.map((a) => (
                    <option key={a.action} value={a.action}>
                      {a.label}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        <Field label="Actor" name="actor" className="w-full sm:w-56">
          {(control) => (
            <input
              {...control}
              type="search"
              className={inputClass}
              placeholder="email, from the start"
              value={inputs.actor}
              onChange={(e) => setInputs({ ...inputs, actor: e.target.value })}
            />
          )}
        </Field>
        <Field label="Target" name="target" className="w-full sm:w-56">
          {(control) => (
            <input
              {...control}
              type="search"
              className={inputClass}
              placeholder="name or id, from the start"
              value={inputs.target}
              onChange={(e) => setInputs({ ...inputs, target: e.target.value })}
            />
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
          {/* On a phone each entry is a card: five columns do not fit 390 px. */}
          <ul className="space-y-2 md:hidden">
            {entries.data.items.map((entry) => (
              <EntryCard key={entry.id} entry={entry} />
            ))}
          </ul>
          <div className="hidden md:block">
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
                    <Td className="min-w-64 max-w-md align-top text-xs break-words text-zinc-600 dark:text-zinc-400">
                      {formatSummary(entry.summary)}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
          <Pagination offset={offset} limit={PAGE_SIZE} total={entries.data.total} onChange={setOffset} />
        </>
      )}
    </>
  )
}

function EntryCard({ entry }: { entry: AuditEntry }) {
  return (
    <li
      data-testid="audit-card"
      className="rounded-lg border border-zinc-200 bg-white p-3 text-sm shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span className="font-mono text-xs break-all">{entry.action}</span>
        <span className="text-xs text-zinc-500 dark:text-zinc-400">
          <DateTime iso={entry.at} absolute />
        </span>
      </div>
      <dl className="mt-2 grid grid-cols-[4.5rem_minmax(0,1fr)] gap-x-2 gap-y-1.5">
        <dt className="text-xs text-zinc-500 dark:text-zinc-400">Target</dt>
        <dd>
          <Target entry={entry} />
        </dd>
        <dt className="text-xs text-zinc-500 dark:text-zinc-400">By</dt>
        <dd>
          <Actor entry={entry} />
        </dd>
      </dl>
      {Object.keys(entry.summary).length > 0 && (
        <p className="mt-2 text-xs break-words text-zinc-600 dark:text-zinc-400">{formatSummary(entry.summary)}</p>
      )}
    </li>
  )
}

function Actor({ entry }: { entry: AuditEntry }) {
  const kind = entry.actorType === 'token' ? 'API token' : entry.actorType
  return (
    <div className="min-w-0">
      <div className="truncate" title={entry.actorId ?? undefined}>
        {entry.actorName ?? kind}
      </div>
      <div className="text-xs text-zinc-500 dark:text-zinc-400">
        {entry.actorName ? kind : ''}
        {entry.actorName && entry.ip ? ' · ' : ''}
        {entry.ip ?? ''}
      </div>
    </div>
  )
}

function Target({ entry }: { entry: AuditEntry }) {
  if (!entry.targetType) return <span className="text-zinc-400 dark:text-zinc-500">—</span>
  return (
    <div className="min-w-0" title={entry.targetId ?? undefined}>
      <div className="max-w-56 truncate" data-testid="audit-target">
        {entry.targetName ?? entry.targetId}
      </div>
      <div className="text-xs whitespace-nowrap text-zinc-500 dark:text-zinc-400">
        {entry.targetType.replaceAll('_', ' ')}
      </div>
    </div>
  )
}
