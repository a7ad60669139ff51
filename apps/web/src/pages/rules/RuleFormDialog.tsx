/** Creates or edits a rule: action, destination, protocol and ports, whom and which server it is for. */
import { type Rule, type RuleAction, RuleCreate, type TunnelServer, type User } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateRule, useUpdateRule } from '../../api/rules.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { Field, inputClass, selectClass } from '../../components/Field.tsx'
import { useFormErrors } from '../../forms/useFormErrors.ts'

const shownFields = ['action', 'destination', 'protocol', 'ports', 'userId', 'tunnelServerId', 'description'] as const

interface RuleFormDialogProps {
  open: boolean
  onClose: () => void
  /** The rule to edit; null to create one. */
  rule: Rule | null
  users: User[]
  servers: TunnelServer[]
}

export function RuleFormDialog({ open, onClose, rule, users, servers }: RuleFormDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={rule ? 'Edit rule' : 'New rule'}
      description="Decides whether devices may reach a network. The most specific rule that matches wins."
    >
      <RuleForm rule={rule} users={users} servers={servers} onDone={onClose} />
    </Dialog>
  )
}

function RuleForm({
  rule,
  users,
  servers,
  onDone,
}: Omit<RuleFormDialogProps, 'open' | 'onClose'> & { onDone: () => void }) {
  const create = useCreateRule()
  const update = useUpdateRule()
  const mutation = rule ? update : create
  const errors = useFormErrors(mutation.error, shownFields)
  const [action, setAction] = useState<RuleAction>(rule?.action ?? 'accept')
  const [destination, setDestination] = useState(rule?.destination ?? '')
  const [protocol, setProtocol] = useState<'' | 'tcp' | 'udp'>(rule?.protocol ?? '')
  const [ports, setPorts] = useState(rule?.ports ?? '')
  const [userId, setUserId] = useState(rule?.userId ?? '')
  const [tunnelServerId, setTunnelServerId] = useState(rule?.tunnelServerId ?? '')
  const [description, setDescription] = useState(rule?.description ?? '')

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    // Empty choices mean "any": null clears them on an edit, as it leaves them out on a create.
    const body = {
      action,
      destination: destination.trim(),
      protocol: protocol || null,
      ports: ports.trim() || null,
      userId: userId || null,
      tunnelServerId: tunnelServerId || null,
      description,
    }
    if (!errors.check(RuleCreate, body)) return
    if (rule) update.mutate({ id: rule.id, patch: body }, { onSuccess: onDone })
    else create.mutate(body, { onSuccess: onDone })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Action" name="action" error={errors.fields.action}>
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={action}
              onChange={(e) => setAction(e.target.value as RuleAction)}
            >
              <option value="accept">Accept: let the traffic through</option>
              <option value="drop">Drop: block the traffic</option>
            </select>
          )}
        </Field>
        <Field
          label="Destination"
          name="destination"
          error={errors.fields.destination}
          hint="A network, e.g. 192.168.1.0/24, 10.0.0.5/32, or 0.0.0.0/0 for everything."
        >
          {(control) => (
            <input
              {...control}
              className={`${inputClass} font-mono`}
              placeholder="192.168.1.0/24"
              autoComplete="off"
              spellCheck={false}
              value={destination}
              onChange={(e) => setDestination(e.target.value)}
            />
          )}
        </Field>
        <Field label="Protocol" name="protocol" error={errors.fields.protocol}>
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={protocol}
              onChange={(e) => setProtocol(e.target.value as '' | 'tcp' | 'udp')}
            >
              <option value="">Any</option>
              <option value="tcp">TCP</option>
              <option value="udp">UDP</option>
            </select>
          )}
        </Field>
        <Field
          label="Ports (optional)"
          name="ports"
          error={errors.fields.ports}
          hint="A port or a range such as 8000-8080; empty for all. Without a protocol: TCP and UDP."
        >
          {(control) => (
            <input
              {...control}
              className={`${inputClass} font-mono`}
              placeholder="443"
              autoComplete="off"
              spellCheck={false}
              value={ports}
              onChange={(e) => setPorts(e.target.value)}
            />
          )}
        </Field>
        <Field label="For" name="userId" error={errors.fields.userId} hint="A user’s own rules come before everyone’s.">
          {(control) => (
            <select {...control} className={selectClass} value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">Everyone</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.email})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tunnel server" name="tunnelServerId" error={errors.fields.tunnelServerId}>
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={tunnelServerId}
              onChange={(e) => setTunnelServerId(e.target.value)}
            >
              <option value="">Every tunnel server</option>
              {servers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Description" name="description" error={errors.fields.description} className="sm:col-span-2">
          {(control) => (
            <input
              {...control}
              className={inputClass}
              placeholder="Home Assistant"
              maxLength={200}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
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
