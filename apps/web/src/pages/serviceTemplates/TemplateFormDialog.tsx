/** Adds a custom service template, or edits one: a name and a list of protocol + port (or range). */
import {
  type ForwardProtocol,
  type ServiceTemplate,
  ServiceTemplateCreate,
  ServiceTemplateUpdate,
} from '@wirewarp/protocol'
import { type FormEvent, useRef, useState } from 'react'
import { useCreateServiceTemplate, useUpdateServiceTemplate } from '../../api/serviceTemplates.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { Field, inputClass, selectClass } from '../../components/Field.tsx'
import { optionalNumber, requiredNumber } from '../../forms/numberInput.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { protocolLabels } from '../portForwards/protocolLabels.ts'

const MAX_PORTS = 20

interface PortRow {
  key: number
  protocol: ForwardProtocol
  port: string
  portEnd: string
}

interface TemplateFormDialogProps {
  open: boolean
  /** The template to edit; null to create one. */
  template: ServiceTemplate | null
  onClose: () => void
}

export function TemplateFormDialog({ open, template, onClose }: TemplateFormDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={template ? `Edit ${template.name}` : 'New service template'}
      description={template ? 'Forwards already created from it stay as they are.' : undefined}
    >
      <TemplateForm template={template} onDone={onClose} />
    </Dialog>
  )
}

function rowsOf(template: ServiceTemplate | null): PortRow[] {
  if (!template) return [{ key: 0, protocol: 'tcp', port: '', portEnd: '' }]
  return template.ports.map((p, key) => ({
    key,
    protocol: p.protocol,
    port: String(p.port),
    portEnd: p.portEnd === undefined ? '' : String(p.portEnd),
  }))
}

function TemplateForm({ template, onDone }: { template: ServiceTemplate | null; onDone: () => void }) {
  const create = useCreateServiceTemplate()
  const update = useUpdateServiceTemplate()
  const mutation = template ? update : create
  const [name, setName] = useState(template?.name ?? '')
  const [description, setDescription] = useState(template?.description ?? '')
  const [ports, setPorts] = useState<PortRow[]>(() => rowsOf(template))
  const nextKey = useRef(ports.length)

  // Port errors come back as "ports.0.port"; the form shows each beside its row.
  const shownFields = [
    'name',
    'description',
    'ports',
    ...ports.flatMap((_, i) => [`ports.${i}.protocol`, `ports.${i}.port`, `ports.${i}.portEnd`]),
  ]
  const errors = useFormErrors(mutation.error, shownFields)

  const updatePort = (key: number, patch: Partial<PortRow>) =>
    setPorts((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)))

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const body: ServiceTemplateCreate = {
      name,
      description,
      ports: ports.map((p) => {
        const portEnd = optionalNumber(p.portEnd)
        return { protocol: p.protocol, port: requiredNumber(p.port), ...(portEnd === undefined ? {} : { portEnd }) }
      }),
    }
    if (!template) {
      if (errors.check(ServiceTemplateCreate, body)) create.mutate(body, { onSuccess: onDone })
      return
    }
    // The whole template is sent back: a PATCH with every field is checked like a create.
    if (errors.check(ServiceTemplateUpdate, body))
      update.mutate({ id: template.id, patch: body }, { onSuccess: onDone })
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
              placeholder="Valheim"
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

      <fieldset>
        <legend className="mb-2 text-sm font-medium text-zinc-800 dark:text-zinc-200">Ports</legend>
        {errors.fields.ports && (
          <p data-testid="error-ports" className="mb-2 text-xs font-medium text-red-600 dark:text-red-400">
            {errors.fields.ports}
          </p>
        )}
        <div className="space-y-3">
          {ports.map((row, i) => (
            <div key={row.key} className="grid grid-cols-[1fr_1fr_1fr_auto] items-start gap-2">
              <Field
                label={`Protocol ${i + 1}`}
                name={`ports.${i}.protocol`}
                error={errors.fields[`ports.${i}.protocol`]}
              >
                {(control) => (
                  <select
                    {...control}
                    className={selectClass}
                    value={row.protocol}
                    onChange={(e) => updatePort(row.key, { protocol: e.target.value as ForwardProtocol })}
                  >
                    {Object.entries(protocolLabels).map(([value, label]) => (
                      <option key={value} value={value}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Port" name={`ports.${i}.port`} error={errors.fields[`ports.${i}.port`]}>
                {(control) => (
                  <input
                    {...control}
                    type="number"
                    inputMode="numeric"
                    className={inputClass}
                    value={row.port}
                    onChange={(e) => updatePort(row.key, { port: e.target.value })}
                  />
                )}
              </Field>
              <Field label="Range end" name={`ports.${i}.portEnd`} error={errors.fields[`ports.${i}.portEnd`]}>
                {(control) => (
                  <input
                    {...control}
                    type="number"
                    inputMode="numeric"
                    className={inputClass}
                    placeholder="optional"
                    value={row.portEnd}
                    onChange={(e) => updatePort(row.key, { portEnd: e.target.value })}
                  />
                )}
              </Field>
              <Button
                tone="ghost"
                className="mt-6"
                aria-label={`Remove port ${i + 1}`}
                disabled={ports.length === 1}
                onClick={() => setPorts((rows) => rows.filter((r) => r.key !== row.key))}
              >
                Remove
              </Button>
            </div>
          ))}
        </div>
        <Button
          size="sm"
          className="mt-3"
          disabled={ports.length >= MAX_PORTS}
          onClick={() => {
            const key = nextKey.current++
            setPorts((rows) => [...rows, { key, protocol: 'tcp', port: '', portEnd: '' }])
          }}
        >
          Add port
        </Button>
      </fieldset>

      <DialogFooter>
        <Button onClick={onDone} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={mutation.isPending}>
          {template ? 'Save' : 'Create template'}
        </Button>
      </DialogFooter>
    </form>
  )
}
