/**
 * "Add agent": creates a one-time registration token, then shows the install command that uses it.
 * The command holds the token's secret, which the server keeps only as a hash: it is shown once.
 */
import {
  type AgentKind,
  RegistrationTokenCreate,
  type RegistrationTokenCreated,
  type TunnelServer,
} from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateRegistrationToken } from '../../api/registrationTokens.ts'
import { useTunnelServers } from '../../api/tunnels.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { CopyButton } from '../../components/CopyButton.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { checkboxClass, Field, FieldError, inputClass, selectClass } from '../../components/Field.tsx'
import { formatDateTime } from '../../format/formatDate.ts'
import { requiredNumber } from '../../forms/numberInput.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { kindDescriptions, kindLabels } from './agentLabels.ts'
import { unreachableReason } from './reachableUrl.ts'

const shownFields = ['kind', 'name', 'tunnelServerId', 'expiresInHours'] as const
const kinds: readonly AgentKind[] = ['server', 'client']

export function AddAgentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateRegistrationToken()
  const [created, setCreated] = useState<RegistrationTokenCreated | null>(null)

  const close = () => {
    setCreated(null)
    create.reset()
    onClose()
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      size="lg"
      title={created ? `Install the agent on ${created.name}` : 'Add agent'}
      description={
        created ? undefined : 'Creates a one-time registration token and the command that installs the agent with it.'
      }
    >
      {created ? (
        <InstallCommand created={created} onDone={close} />
      ) : (
        <AddAgentForm create={create} onCancel={close} onCreated={setCreated} />
      )}
    </Dialog>
  )
}

function AddAgentForm({
  create,
  onCancel,
  onCreated,
}: {
  create: ReturnType<typeof useCreateRegistrationToken>
  onCancel: () => void
  onCreated: (created: RegistrationTokenCreated) => void
}) {
  const servers = useTunnelServers()
  const errors = useFormErrors(create.error, shownFields)
  const [kind, setKind] = useState<AgentKind>('server')
  const [name, setName] = useState('')
  const [tunnelServerId, setTunnelServerId] = useState('')
  const [expiresInHours, setExpiresInHours] = useState('24')

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const body = {
      kind,
      name,
      // Only a client names its server, and "attach later" sends none.
      tunnelServerId: kind === 'client' && tunnelServerId ? tunnelServerId : undefined,
      expiresInHours: requiredNumber(expiresInHours),
    }
    if (errors.check(RegistrationTokenCreate, body)) create.mutate(body, { onSuccess: onCreated })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <fieldset>
        <legend className="mb-1 block text-sm font-medium text-zinc-800 dark:text-zinc-200">Kind</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {kinds.map((k) => (
            <label
              key={k}
              className={`flex cursor-pointer items-start gap-2.5 rounded-md border p-3 text-sm transition-colors ${
                kind === k
                  ? 'border-zinc-900 bg-zinc-50 ring-1 ring-zinc-900 dark:border-zinc-100 dark:bg-zinc-800/60 dark:ring-zinc-100'
                  : 'border-zinc-300 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800/40'
              }`}
            >
              <input
                type="radio"
                name="kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
                className={`mt-0.5 ${checkboxClass}`}
              />
              <span>
                <span className="block font-medium text-zinc-900 dark:text-zinc-100">{kindLabels[k]}</span>
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">{kindDescriptions[k]}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError id={undefined} name="kind" error={errors.fields.kind} />
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Name"
          name="name"
          error={errors.fields.name}
          hint="How the dashboard shows this agent."
          className={kind === 'client' ? '' : 'sm:col-span-2'}
        >
          {(control) => (
            <input
              {...control}
              className={inputClass}
              placeholder={kind === 'server' ? 'vps-frankfurt' : 'homelab'}
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        {kind === 'client' && (
          <Field
            label="Tunnel server"
            name="tunnelServerId"
            error={errors.fields.tunnelServerId}
            hint={
              servers.isError
                ? `Could not load the tunnel servers: ${servers.error.message}`
                : 'The server this client connects to.'
            }
          >
            {(control) => (
              <select
                {...control}
                className={selectClass}
                disabled={servers.isPending}
                value={tunnelServerId}
                onChange={(e) => setTunnelServerId(e.target.value)}
              >
                <option value="">none (attach later)</option>
                {(servers.data?.items ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {serverLabel(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field
          label="Token expires after (hours)"
          name="expiresInHours"
          error={errors.fields.expiresInHours}
          hint="From 1 to 720. The token works once."
        >
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              min={1}
              max={720}
              className={`${inputClass} max-w-40`}
              value={expiresInHours}
              onChange={(e) => setExpiresInHours(e.target.value)}
            />
          )}
        </Field>
      </div>
      <DialogFooter>
        <Button onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={create.isPending}>
          Create install command
        </Button>
      </DialogFooter>
    </form>
  )
}

function serverLabel(s: TunnelServer): string {
  return s.publicIp ? `${s.name} (${s.publicIp})` : s.name
}

function InstallCommand({ created, onDone }: { created: RegistrationTokenCreated; onDone: () => void }) {
  const unreachable = unreachableReason(created.installCommand)
  const hours = Math.max(0, Math.round((new Date(created.expiresAt).getTime() - Date.now()) / 3600_000))
  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Run this on the {created.kind === 'server' ? 'VPS' : 'homelab host'}, as root or as a user with sudo. It
        installs WireGuard tools, nftables and the agent, registers it as <strong>{created.name}</strong> and starts it
        as a service; the agent then shows up in the list. Add <code>--no-service</code> to run it in the foreground
        instead, or <code>--uninstall</code> to remove it again.
      </p>
      {unreachable && (
        <div data-testid="install-url-warning">
          <Alert tone="warning" title="A VPS cannot reach this">
            The command uses this dashboard's address, and {unreachable}. Set WIREWARP_PUBLIC_URL to the address hosts
            reach this server at (https), restart it, and make a new token.
          </Alert>
        </div>
      )}
      <pre
        data-testid="install-command"
        className="rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2.5 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap select-all dark:border-zinc-700 dark:bg-zinc-950"
      >
        <code>{created.installCommand}</code>
      </pre>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <p className="min-w-0 flex-1 text-sm text-zinc-600 dark:text-zinc-400">
          This token works once and expires at{' '}
          <time dateTime={created.expiresAt} className="font-medium text-zinc-800 dark:text-zinc-200">
            {formatDateTime(created.expiresAt)}
          </time>{' '}
          (in {hours} {hours === 1 ? 'hour' : 'hours'}). Copy the command now: it is not shown again.
        </p>
        <CopyButton text={created.installCommand} label="Copy command" />
      </div>
      <DialogFooter>
        <Button tone="primary" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </div>
  )
}
