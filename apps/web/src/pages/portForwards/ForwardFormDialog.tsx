/** Creates a forward from scratch or edits one: every field of the API, with errors beside each. */
import {
  type ForwardProtocol,
  forwardRangeIssues,
  Port,
  type PortForward,
  PortForwardCreate,
  type TunnelClient,
} from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateForward, useUpdateForward } from '../../api/portForwards.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { CheckboxField, Field, inputClass, selectClass } from '../../components/Field.tsx'
import { Loading } from '../../components/QueryStatus.tsx'
import { nullableNumber, requiredNumber } from '../../forms/numberInput.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { NoClientNotice } from './NoClientNotice.tsx'
import { protocolLabels } from './protocolLabels.ts'

const shownFields = [
  'tunnelClientId',
  'protocol',
  'publicPort',
  'publicPortEnd',
  'destinationIp',
  'destinationPort',
  'description',
  'preserveClientIp',
  'enabled',
] as const

interface ForwardFormDialogProps {
  open: boolean
  tunnelServerId: string
  /** The clients of the server; undefined while they load. */
  clients: TunnelClient[] | undefined
  /** The forward to edit; null to create one. */
  forward: PortForward | null
  onClose: () => void
}

export function ForwardFormDialog({ open, tunnelServerId, clients, forward, onClose }: ForwardFormDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={forward ? 'Edit forward' : 'New forward'}
      description="Traffic to the public port of the tunnel server goes through the tunnel to the destination."
    >
      {clients === undefined ? (
        <Loading label="Loading clients…" />
      ) : clients.length === 0 && !forward ? (
        // An empty select would only lead to an error: say what is missing and where to add it.
        <NoClientNotice onClose={onClose} />
      ) : (
        <ForwardForm tunnelServerId={tunnelServerId} clients={clients} forward={forward} onDone={onClose} />
      )}
    </Dialog>
  )
}

function ForwardForm({
  tunnelServerId,
  clients,
  forward,
  onDone,
}: {
  tunnelServerId: string
  clients: TunnelClient[]
  forward: PortForward | null
  onDone: () => void
}) {
  const create = useCreateForward()
  const update = useUpdateForward()
  const mutation = forward ? update : create
  const errors = useFormErrors(mutation.error, shownFields)

  const [tunnelClientId, setTunnelClientId] = useState(forward?.tunnelClientId ?? clients[0]?.id ?? '')
  const [protocol, setProtocol] = useState<ForwardProtocol>(forward?.protocol ?? 'tcp')
  const [publicPort, setPublicPort] = useState(forward ? String(forward.publicPort) : '')
  const [publicPortEnd, setPublicPortEnd] = useState(forward?.publicPortEnd ? String(forward.publicPortEnd) : '')
  const [destinationIp, setDestinationIp] = useState(forward?.destinationIp ?? '')
  const [destinationPort, setDestinationPort] = useState(forward ? String(forward.destinationPort) : '')
  // Most services listen on the same port they are published on; follow the public port until edited.
  const [destinationPortEdited, setDestinationPortEdited] = useState(forward !== null)
  const [description, setDescription] = useState(forward?.description ?? '')
  const [preserveClientIp, setPreserveClientIp] = useState(forward?.preserveClientIp ?? false)
  const [enabled, setEnabled] = useState(forward?.enabled ?? true)

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const fields = {
      tunnelClientId,
      protocol,
      publicPort: requiredNumber(publicPort),
      publicPortEnd: nullableNumber(publicPortEnd),
      destinationIp: destinationIp.trim(),
      destinationPort: requiredNumber(destinationPort),
      description,
      preserveClientIp,
      enabled,
    }
    const ports = [fields.publicPort, fields.publicPortEnd ?? fields.publicPort, fields.destinationPort]
    const portsValid = ports.every((p) => Port.safeParse(p).success)
    // Every field at once, as the server checks the whole forward (also after an edit).
    const ok = errors.check(
      PortForwardCreate,
      { tunnelServerId, ...fields },
      {
        form: {
          // The schema would call an empty select "Must be an id (UUID)"; say what to do instead.
          tunnelClientId: !tunnelClientId && 'Choose the tunnel client that reaches the destination',
          // The schema checks the range only once every field is valid; with good ports, tell it now.
          ...(portsValid ? Object.fromEntries(forwardRangeIssues(fields).map((i) => [i.path, i.message])) : {}),
        },
      },
    )
    if (!ok) return
    if (forward) update.mutate({ id: forward.id, patch: fields }, { onSuccess: onDone })
    else create.mutate({ tunnelServerId, ...fields }, { onSuccess: onDone })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Tunnel client"
          name="tunnelClientId"
          error={errors.fields.tunnelClientId}
          hint={clients.length === 0 ? 'No client is connected to this server yet.' : 'The homelab side of the tunnel.'}
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
        <Field label="Protocol" name="protocol" error={errors.fields.protocol}>
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={protocol}
              onChange={(e) => setProtocol(e.target.value as ForwardProtocol)}
            >
              {Object.entries(protocolLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Public port" name="publicPort" error={errors.fields.publicPort}>
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              className={inputClass}
              placeholder="25565"
              value={publicPort}
              onChange={(e) => {
                setPublicPort(e.target.value)
                if (!destinationPortEdited) setDestinationPort(e.target.value)
              }}
            />
          )}
        </Field>
        <Field
          label="Last port of a range (optional)"
          name="publicPortEnd"
          error={errors.fields.publicPortEnd}
          hint="For a range such as 27015–27020; leave empty for one port."
        >
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              className={inputClass}
              value={publicPortEnd}
              onChange={(e) => setPublicPortEnd(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Destination IP"
          name="destinationIp"
          error={errors.fields.destinationIp}
          hint="Address of the service, as the tunnel client reaches it."
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
        <Field
          label="Destination port"
          name="destinationPort"
          error={errors.fields.destinationPort}
          hint="A range maps onto the same number of ports from here."
        >
          {(control) => (
            <input
              {...control}
              type="number"
              inputMode="numeric"
              className={inputClass}
              value={destinationPort}
              onChange={(e) => {
                setDestinationPort(e.target.value)
                setDestinationPortEdited(true)
              }}
            />
          )}
        </Field>
        <Field label="Description" name="description" error={errors.fields.description} className="sm:col-span-2">
          {(control) => (
            <input
              {...control}
              className={inputClass}
              placeholder="Minecraft survival world"
              maxLength={200}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <CheckboxField
          label="Preserve the real client IP"
          name="preserveClientIp"
          description="The service sees each visitor's own address instead of the tunnel's. Replies must route back through the tunnel (a gateway client does this)."
          checked={preserveClientIp}
          onChange={setPreserveClientIp}
          error={errors.fields.preserveClientIp}
        />
        <CheckboxField
          label="Enabled"
          name="enabled"
          description="A disabled forward is kept but not applied on the server."
          checked={enabled}
          onChange={setEnabled}
          error={errors.fields.enabled}
        />
      </div>
      <DialogFooter>
        <Button onClick={onDone} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={mutation.isPending}>
          Save
        </Button>
      </DialogFooter>
    </form>
  )
}
