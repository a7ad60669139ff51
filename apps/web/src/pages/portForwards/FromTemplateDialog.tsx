/** Creates all forwards of a service template (e.g. "Minecraft Java") to one destination in one step. */
import { PortForwardFromTemplate, type ServiceTemplate, type TunnelClient } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateForwardsFromTemplate } from '../../api/portForwards.ts'
import { useServiceTemplates } from '../../api/serviceTemplates.ts'
import { Alert } from '../../components/Alert.tsx'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { CheckboxField, Field, inputClass, selectClass } from '../../components/Field.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { formatPortRange } from './formatForward.ts'
import { NoClientNotice } from './NoClientNotice.tsx'

const shownFields = ['templateId', 'tunnelClientId', 'destinationIp', 'enabled', 'preserveClientIp'] as const

interface FromTemplateDialogProps {
  open: boolean
  tunnelServerId: string
  /** The clients of the server; undefined while they load. */
  clients: TunnelClient[] | undefined
  onClose: () => void
  onCreated: (count: number, templateName: string) => void
}

export function FromTemplateDialog({ open, tunnelServerId, clients, onClose, onCreated }: FromTemplateDialogProps) {
  const templates = useServiceTemplates()
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title="Forwards from a template"
      description="Creates one forward per port of the template, all to the same destination, each on the same port number."
    >
      {templates.isPending || clients === undefined ? (
        <Loading />
      ) : clients.length === 0 ? (
        <NoClientNotice onClose={onClose} />
      ) : templates.isError ? (
        <LoadError error={templates.error} onRetry={() => templates.refetch()} />
      ) : (
        <FromTemplateForm
          templates={templates.data.items}
          tunnelServerId={tunnelServerId}
          clients={clients}
          onCancel={onClose}
          onCreated={onCreated}
        />
      )}
    </Dialog>
  )
}

function FromTemplateForm({
  templates,
  tunnelServerId,
  clients,
  onCancel,
  onCreated,
}: {
  templates: ServiceTemplate[]
  tunnelServerId: string
  clients: TunnelClient[]
  onCancel: () => void
  onCreated: (count: number, templateName: string) => void
}) {
  const create = useCreateForwardsFromTemplate()
  const errors = useFormErrors(create.error, shownFields)
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? '')
  const [tunnelClientId, setTunnelClientId] = useState(clients[0]?.id ?? '')
  const [destinationIp, setDestinationIp] = useState('')
  const [preserveClientIp, setPreserveClientIp] = useState(false)
  const [enabled, setEnabled] = useState(true)
  const template = templates.find((t) => t.id === templateId)

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const body = {
      templateId,
      tunnelServerId,
      tunnelClientId,
      destinationIp: destinationIp.trim(),
      enabled,
      preserveClientIp,
    }
    const ok = errors.check(PortForwardFromTemplate, body, {
      // The schema would call an empty select "Must be an id (UUID)"; say what to do instead.
      form: {
        templateId: !templateId && 'Choose a template',
        tunnelClientId: !tunnelClientId && 'Choose the tunnel client that reaches the destination',
      },
    })
    if (!ok) return
    create.mutate(body, { onSuccess: (result) => onCreated(result.items.length, template?.name ?? 'template') })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Template" name="templateId" error={errors.fields.templateId}>
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={templateId}
              onChange={(e) => setTemplateId(e.target.value)}
            >
              {!templateId && <option value="">Choose a template</option>}
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Tunnel client"
          name="tunnelClientId"
          error={errors.fields.tunnelClientId}
          hint={clients.length === 0 ? 'No client is connected to this server yet.' : undefined}
        >
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={tunnelClientId}
              onChange={(e) => setTunnelClientId(e.target.value)}
            >
              {!tunnelClientId && <option value="">Choose a client</option>}
              {clients.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Destination IP"
          name="destinationIp"
          error={errors.fields.destinationIp}
          hint="The machine that runs the service."
          className="sm:col-span-2"
        >
          {(control) => (
            <input
              {...control}
              className={`${inputClass} font-mono`}
              placeholder="192.168.1.20"
              autoComplete="off"
              spellCheck={false}
              value={destinationIp}
              onChange={(e) => setDestinationIp(e.target.value)}
            />
          )}
        </Field>
      </div>

      {template && (
        <div className="rounded-md bg-zinc-50 p-3 text-sm dark:bg-zinc-950/60">
          <p className="font-medium">{template.name}</p>
          {template.description && <p className="mt-0.5 text-zinc-600 dark:text-zinc-400">{template.description}</p>}
          <ul className="mt-2 flex flex-wrap gap-1.5" aria-label="Ports to forward">
            {template.ports.map((p) => (
              <li key={`${p.protocol}-${p.port}-${p.portEnd ?? ''}`}>
                <Badge>
                  {p.protocol} {formatPortRange(p.port, p.portEnd)}
                </Badge>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <CheckboxField
          label="Preserve the real client IP"
          name="preserveClientIp"
          description="The service sees each visitor's own address instead of the tunnel's."
          checked={preserveClientIp}
          onChange={setPreserveClientIp}
          error={errors.fields.preserveClientIp}
        />
        <CheckboxField
          label="Enabled"
          name="enabled"
          checked={enabled}
          onChange={setEnabled}
          error={errors.fields.enabled}
        />
      </div>
      <DialogFooter>
        <Button onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={create.isPending}>
          Create forwards
        </Button>
      </DialogFooter>
    </form>
  )
}
