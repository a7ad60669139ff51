/**
 * Firewall rules for devices (admin): the order one user's traffic on one tunnel server meets them,
 * as the server enforces it, and every rule to create, edit and delete.
 */
import type { Rule, User } from '@wirewarp/protocol'
import { useState } from 'react'
import { Link } from 'react-router'
import { ALL_ROWS, PAGE_SIZE } from '../../api/Page.ts'
import { useDeleteRule, useEffectiveRules, useRules } from '../../api/rules.ts'
import { useTunnelServers } from '../../api/tunnels.ts'
import { useUsers } from '../../api/users.ts'
import { useVpnSettings } from '../../api/vpn.ts'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { Field, selectClass } from '../../components/Field.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Section } from '../../components/Section.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { formatRuleTraffic } from './formatRuleTraffic.ts'
import { RuleCells } from './RuleCells.tsx'
import { RuleFormDialog } from './RuleFormDialog.tsx'

const linkClass =
  'font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

type Editing = { kind: 'create' } | { kind: 'edit'; rule: Rule } | null

export function RulesPage() {
  const [offset, setOffset] = useState(0)
  const rules = useRules({ limit: PAGE_SIZE, offset })
  const users = useUsers({ limit: ALL_ROWS, offset: 0 })
  const servers = useTunnelServers()
  const settings = useVpnSettings()
  const [editing, setEditing] = useState<Editing>(null)
  const [deleting, setDeleting] = useState<Rule | null>(null)
  const remove = useDeleteRule()
  const userList = users.data?.items ?? []
  const serverList = servers.data?.items ?? []

  return (
    <>
      <PageHeader
        title="Rules"
        description="Which networks users’ devices may reach through the VPN."
        actions={
          <Button tone="primary" onClick={() => setEditing({ kind: 'create' })}>
            New rule
          </Button>
        }
      />
      <p className="mb-6 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400" data-testid="rule-precedence">
        The first rule that matches decides. A user’s own rules come before everyone’s; within each, the longest
        destination prefix first (a /32 before a /24), then narrower ports (a protocol is narrower than any), then{' '}
        <em>drop</em> before <em>accept</em>. Traffic no rule matches gets the default policy
        {settings.data ? (
          <>
            , now{' '}
            <Badge tone={settings.data.defaultPolicy === 'accept' ? 'green' : 'red'}>
              {settings.data.defaultPolicy}
            </Badge>
          </>
        ) : null}{' '}
        (
        <Link to="/settings/vpn" className={linkClass}>
          VPN settings
        </Link>
        ).
      </p>

      <div className="space-y-8">
        <EffectiveOrder users={userList} servers={serverList} />

        <Section title="All rules">
          {rules.isPending ? (
            <Loading />
          ) : rules.isError ? (
            <LoadError error={rules.error} onRetry={() => rules.refetch()} />
          ) : rules.data.items.length === 0 ? (
            <EmptyNote>No rules yet: every device’s traffic gets the default policy.</EmptyNote>
          ) : (
            <>
              <Table>
                <THead>
                  <tr>
                    <Th>Action</Th>
                    <Th>Destination</Th>
                    <Th>For</Th>
                    <Th>Tunnel server</Th>
                    <Th>Description</Th>
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  </tr>
                </THead>
                <TBody>
                  {rules.data.items.map((r) => (
                    <Tr key={r.id} data-testid="rule-row" data-rule-id={r.id}>
                      <RuleCells rule={r} />
                      <Td className="text-right whitespace-nowrap">
                        <Button size="sm" tone="ghost" onClick={() => setEditing({ kind: 'edit', rule: r })}>
                          Edit
                        </Button>
                        <Button size="sm" tone="ghost" onClick={() => setDeleting(r)}>
                          Delete
                        </Button>
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination offset={offset} limit={PAGE_SIZE} total={rules.data.total} onChange={setOffset} />
            </>
          )}
        </Section>
      </div>

      <RuleFormDialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        rule={editing?.kind === 'edit' ? editing.rule : null}
        users={userList}
        servers={serverList}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this rule?"
        confirmLabel="Delete rule"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null)
          remove.reset()
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        {deleting && (
          <p>
            <strong>
              {deleting.action} {deleting.destination} ({formatRuleTraffic(deleting)})
            </strong>{' '}
            stops applying as soon as the tunnel servers apply the change; the traffic it matched meets the next rule.
          </p>
        )}
      </ConfirmDialog>
    </>
  )
}

/** One user's rules on one tunnel server, in the order they are enforced, ending with the default policy. */
function EffectiveOrder({ users, servers }: { users: User[]; servers: { id: string; name: string }[] }) {
  const [chosenUser, setChosenUser] = useState<string | undefined>()
  const [chosenServer, setChosenServer] = useState<string | undefined>()
  // Users' devices are what rules are mostly for: start with the first user who is not an admin.
  const userId = chosenUser ?? (users.find((u) => u.role === 'user') ?? users[0])?.id
  const tunnelServerId = chosenServer ?? servers[0]?.id
  const effective = useEffectiveRules(userId, tunnelServerId)

  return (
    <Section title="Effective order">
      <div className="mb-3 grid max-w-2xl gap-3 sm:grid-cols-2">
        <Field label="User" name="effectiveUser">
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={userId ?? ''}
              onChange={(e) => setChosenUser(e.target.value)}
            >
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.email})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tunnel server" name="effectiveServer">
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={tunnelServerId ?? ''}
              onChange={(e) => setChosenServer(e.target.value)}
            >
              {servers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {tunnelServerId === undefined ? (
        <EmptyNote>No tunnel server yet: rules apply once devices connect through one.</EmptyNote>
      ) : effective.isPending ? (
        <Loading />
      ) : effective.isError ? (
        <LoadError error={effective.error} onRetry={() => effective.refetch()} />
      ) : (
        <Table data-testid="effective-rules">
          <THead>
            <tr>
              <Th>#</Th>
              <Th>Action</Th>
              <Th>Destination</Th>
              <Th>For</Th>
              <Th>Tunnel server</Th>
              <Th>Description</Th>
            </tr>
          </THead>
          <TBody>
            {effective.data.rules.map((r, i) => (
              <Tr key={r.id} data-testid="effective-rule-row">
                <Td className="text-zinc-500 tabular-nums dark:text-zinc-400">{i + 1}</Td>
                <RuleCells rule={r} />
              </Tr>
            ))}
            <Tr data-testid="effective-default">
              <Td className="text-zinc-500 dark:text-zinc-400">—</Td>
              <Td>
                <Badge tone={effective.data.defaultPolicy === 'accept' ? 'green' : 'red'}>
                  {effective.data.defaultPolicy}
                </Badge>
              </Td>
              <Td colSpan={4} className="text-sm text-zinc-600 dark:text-zinc-400">
                Everything else: the default policy
              </Td>
            </Tr>
          </TBody>
        </Table>
      )}
    </Section>
  )
}
