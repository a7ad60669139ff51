/** Changes a device's name, description and (where allowed) its own client settings. */
import { type ClientSettings, type Device, DeviceUpdate, OVERRIDE_FIELDS } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useUpdateDevice } from '../../api/devices.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { Field, inputClass } from '../../components/Field.tsx'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { OverrideFields } from './OverrideFields.tsx'
import { type OverrideField, overrideBody, overrideLabels, overrideLists, overrideValues } from './overrideValues.ts'

const shownFields = ['name', 'description', ...OVERRIDE_FIELDS] as const

interface EditDeviceDialogProps {
  open: boolean
  onClose: () => void
  device: Device
  /** The tunnel server's defaults, to show beside "use the default"; undefined while they load. */
  defaults: ClientSettings | undefined
  canConfigure: boolean
}

export function EditDeviceDialog({ open, onClose, device, defaults, canConfigure }: EditDeviceDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} size="lg" title={`Edit ${device.name}`}>
      <EditDeviceForm device={device} defaults={defaults} canConfigure={canConfigure} onDone={onClose} />
    </Dialog>
  )
}

function EditDeviceForm({
  device,
  defaults,
  canConfigure,
  onDone,
}: Omit<EditDeviceDialogProps, 'open' | 'onClose'> & { onDone: () => void }) {
  const update = useUpdateDevice()
  const errors = useFormErrors(update.error, shownFields, overrideLabels)
  const [name, setName] = useState(device.name)
  const [description, setDescription] = useState(device.description)
  const [overrides, setOverrides] = useState(() => overrideValues(device.overrides))

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const own = canConfigure ? overrideBody(overrides) : null
    // Only what changed; null clears an own value, and the device goes back to the default.
    const changed = own
      ? Object.fromEntries(
          Object.entries(own).filter(
            ([f, v]) => JSON.stringify(v) !== JSON.stringify(device.overrides[f as OverrideField]),
          ),
        )
      : {}
    const patch: DeviceUpdate = {
      ...(name !== device.name ? { name } : {}),
      ...(description !== device.description ? { description } : {}),
      ...changed,
    }
    if (!errors.check(DeviceUpdate, patch, { lists: own ? overrideLists(own) : {} })) return
    if (Object.keys(patch).length === 0) return onDone()
    update.mutate({ id: device.id, patch }, { onSuccess: onDone })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" error={errors.fields.name}>
          {(control) => (
            <input
              {...control}
              className={inputClass}
              maxLength={64}
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Description" name="description" error={errors.fields.description}>
          {(control) => (
            <input
              {...control}
              className={inputClass}
              maxLength={200}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
      </div>
      {canConfigure && (
        <fieldset className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
          <legend className="px-1 text-sm font-medium text-zinc-800 dark:text-zinc-200">Client settings</legend>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            The device uses these once its config is set up again: download it (or rotate the key) after saving.
          </p>
          {defaults ? (
            <OverrideFields values={overrides} onChange={setOverrides} defaults={defaults} errors={errors.fields} />
          ) : (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading the server’s defaults…</p>
          )}
        </fieldset>
      )}
      <DialogFooter>
        <Button onClick={onDone} disabled={update.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={update.isPending}>
          Save
        </Button>
      </DialogFooter>
    </form>
  )
}
