/**
 * Adds a device: the form, then a key pair made in this browser, the device saved with its public
 * key only, and the complete config shown once (QR code and file).
 */
import { DeviceCreate, type DeviceCreated, OVERRIDE_FIELDS, type User, type VpnServer } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateDevice } from '../../api/devices.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { CheckboxField, Field, inputClass, selectClass } from '../../components/Field.tsx'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { generateKeyPair, type WgKeyPair } from '../../wireguard/generateKeyPair.ts'
import { DeviceConfigReady } from './DeviceConfigReady.tsx'
import { OverrideFields } from './OverrideFields.tsx'
import { overrideBody, overrideLabels, overrideLists, overrideValues } from './overrideValues.ts'

const shownFields = [
  'name',
  'tunnelServerId',
  'description',
  'presharedKey',
  'userId',
  'endpoint',
  'dns',
  'allowedIps',
  'mtu',
  'persistentKeepalive',
] as const

const labels = { publicKey: 'Public key', generateKey: 'Key', ...overrideLabels }

interface AddDeviceDialogProps {
  open: boolean
  onClose: () => void
  /** The tunnel servers a device can be added to (at least one). */
  servers: VpnServer[]
  /** Whether the form offers the device's own endpoint, DNS, allowed IPs, MTU and keepalive. */
  canConfigure: boolean
  /** Admins: the users a device can be made for, and who is chosen first. Absent: for oneself. */
  users?: { list: User[]; selectedId: string } | undefined
}

export function AddDeviceDialog({ open, onClose, servers, canConfigure, users }: AddDeviceDialogProps) {
  const [created, setCreated] = useState<{ device: DeviceCreated; keys: WgKeyPair } | null>(null)
  // Forgets the key with the dialog: the next opening starts a new device.
  const close = () => {
    setCreated(null)
    onClose()
  }
  return (
    <Dialog
      open={open}
      onClose={close}
      size="lg"
      title={created ? `Set up ${created.device.name}` : 'Add a device'}
      description={
        created
          ? undefined
          : 'A phone, laptop or tablet that connects to the VPN with the WireGuard app. Its key is made in this browser.'
      }
    >
      {created ? (
        <DeviceConfigReady device={created.device} keys={created.keys} onDone={close} />
      ) : (
        <AddDeviceForm
          servers={servers}
          canConfigure={canConfigure}
          users={users}
          onCancel={close}
          onCreated={(device, keys) => setCreated({ device, keys })}
        />
      )}
    </Dialog>
  )
}

function AddDeviceForm({
  servers,
  canConfigure,
  users,
  onCancel,
  onCreated,
}: Omit<AddDeviceDialogProps, 'open' | 'onClose'> & {
  onCancel: () => void
  onCreated: (device: DeviceCreated, keys: WgKeyPair) => void
}) {
  const create = useCreateDevice()
  const [keyError, setKeyError] = useState<string | null>(null)
  const [making, setMaking] = useState(false)
  const errors = useFormErrors(create.error, shownFields, labels)

  const [name, setName] = useState('')
  const [tunnelServerId, setTunnelServerId] = useState(() => (servers.find((s) => s.ready) ?? servers[0])?.id ?? '')
  const [description, setDescription] = useState('')
  const [presharedKey, setPresharedKey] = useState(false)
  const [userId, setUserId] = useState(users?.selectedId ?? '')
  const server = servers.find((s) => s.id === tunnelServerId)
  // Two columns: the name shares its row with a picker, or has the row to itself.
  const pickers = (servers.length > 1 ? 1 : 0) + (users ? 1 : 0)
  // Own values only; the defaults shown beside them follow the chosen server.
  const [overrides, setOverrides] = useState(() => overrideValues(null))
  const [advancedOpen, setAdvancedOpen] = useState(false)
  const overrideError = OVERRIDE_FIELDS.some((f) => errors.fields[f])

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const own = canConfigure ? overrideBody(overrides) : null
    const fields = {
      name,
      tunnelServerId,
      description,
      presharedKey,
      ...(users ? { userId } : {}),
      // A field left at the default is not sent: the device follows later changes of the default.
      ...(own ? Object.fromEntries(Object.entries(own).filter(([, v]) => v !== null)) : {}),
    }
    // Checked as the server will check it, with the key still to be made.
    const ok = errors.check(
      DeviceCreate,
      { ...fields, generateKey: true },
      {
        form: {
          tunnelServerId: !tunnelServerId && 'Choose the tunnel server the device connects to',
          userId: users !== undefined && !userId && 'Choose whose device it is',
        },
        lists: own ? overrideLists(own) : {},
      },
    )
    if (!ok) return
    setKeyError(null)
    setMaking(true)
    let keys: WgKeyPair
    try {
      keys = await generateKeyPair()
    } catch {
      setMaking(false)
      setKeyError('This browser could not make a WireGuard key. Try another browser.')
      return
    }
    setMaking(false)
    create.mutate({ ...fields, publicKey: keys.publicKey }, { onSuccess: (device) => onCreated(device, keys) })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {(keyError ?? errors.message) && <Alert>{keyError ?? errors.message}</Alert>}
      {server && !server.ready && (
        <Alert tone="warning" title={`${server.name} cannot take devices yet`}>
          It has no public IP or no WireGuard key yet. An admin can set its public IP on the tunnel server’s page.
        </Alert>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Name"
          name="name"
          error={errors.fields.name}
          hint="Letters, digits, spaces and . _ - ( )"
          className={pickers === 0 ? 'sm:col-span-2' : ''}
        >
          {(control) => (
            <input
              {...control}
              className={inputClass}
              placeholder="Alice’s phone"
              maxLength={64}
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        {servers.length > 1 ? (
          <Field label="Tunnel server" name="tunnelServerId" error={errors.fields.tunnelServerId}>
            {(control) => (
              <select
                {...control}
                className={selectClass}
                value={tunnelServerId}
                onChange={(e) => setTunnelServerId(e.target.value)}
              >
                {servers.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                    {s.ready ? '' : ' (not ready)'}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          errors.fields.tunnelServerId && <Alert>{errors.fields.tunnelServerId}</Alert>
        )}
        {users && (
          <Field
            label="Owner"
            name="userId"
            error={errors.fields.userId}
            hint="The user whose device it is."
            className={pickers === 2 ? 'sm:col-span-2' : ''}
          >
            {(control) => (
              <select {...control} className={selectClass} value={userId} onChange={(e) => setUserId(e.target.value)}>
                {!userId && <option value="">Choose a user</option>}
                {users.list.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Description" name="description" error={errors.fields.description} className="sm:col-span-2">
          {(control) => (
            <input
              {...control}
              className={inputClass}
              placeholder="Work laptop"
              maxLength={200}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <CheckboxField
          label="Add a preshared key"
          name="presharedKey"
          description="A second secret shared by the device and the server, against future quantum computers. It is in the config."
          checked={presharedKey}
          onChange={setPresharedKey}
          error={errors.fields.presharedKey}
        />
      </div>
      {canConfigure && server && (
        <details
          className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
          open={advancedOpen || overrideError}
          onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}
        >
          <summary className="cursor-pointer text-sm font-medium text-zinc-800 select-none dark:text-zinc-200">
            Advanced: endpoint, DNS, allowed IPs, MTU, keepalive
          </summary>
          <div className="mt-3">
            <OverrideFields
              values={overrides}
              onChange={setOverrides}
              defaults={server.clientDefaults}
              errors={errors.fields}
            />
          </div>
        </details>
      )}
      <DialogFooter>
        <Button onClick={onCancel} disabled={create.isPending || making}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={create.isPending || making}>
          Add device
        </Button>
      </DialogFooter>
    </form>
  )
}
