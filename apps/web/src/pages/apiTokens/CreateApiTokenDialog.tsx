/** Creates an API token, then shows it once with a copy button: only its hash is kept on the server. */
import { ApiTokenCreate, type ApiTokenCreated } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateApiToken } from '../../api/apiTokens.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { CopyButton } from '../../components/CopyButton.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { Field, inputClass } from '../../components/Field.tsx'
import { optionalNumber } from '../../forms/numberInput.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'

const shownFields = ['name', 'expiresInDays'] as const

export function CreateApiTokenDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateApiToken()
  const [created, setCreated] = useState<ApiTokenCreated | null>(null)

  const close = () => {
    setCreated(null)
    create.reset()
    onClose()
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title={created ? 'Copy your new token' : 'New API token'}
      description={created ? undefined : 'Give it a name that says where it is used.'}
    >
      {created ? (
        <TokenCreated token={created} onDone={close} />
      ) : (
        <TokenForm create={create} onCancel={close} onCreated={setCreated} />
      )}
    </Dialog>
  )
}

function TokenForm({
  create,
  onCancel,
  onCreated,
}: {
  create: ReturnType<typeof useCreateApiToken>
  onCancel: () => void
  onCreated: (token: ApiTokenCreated) => void
}) {
  const [name, setName] = useState('')
  const [expiresInDays, setExpiresInDays] = useState('90')
  const errors = useFormErrors(create.error, shownFields)

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const body = { name, expiresInDays: optionalNumber(expiresInDays) }
    if (errors.check(ApiTokenCreate, body)) create.mutate(body, { onSuccess: onCreated })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <Field label="Name" name="name" error={errors.fields.name}>
        {(control) => (
          <input
            {...control}
            className={inputClass}
            placeholder="backup script"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Expires after (days)"
        name="expiresInDays"
        error={errors.fields.expiresInDays}
        hint="Leave empty for a token that does not expire."
      >
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="numeric"
            min={1}
            max={3650}
            className={`${inputClass} max-w-40`}
            value={expiresInDays}
            onChange={(e) => setExpiresInDays(e.target.value)}
          />
        )}
      </Field>
      <DialogFooter>
        <Button onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={create.isPending}>
          Create token
        </Button>
      </DialogFooter>
    </form>
  )
}

function TokenCreated({ token, onDone }: { token: ApiTokenCreated; onDone: () => void }) {
  return (
    <div className="space-y-4">
      <Alert tone="warning" title="This is the only time the token is shown">
        Copy it now and keep it somewhere safe. If you lose it, revoke it and create a new one.
      </Alert>
      <div className="flex items-center gap-2">
        <code
          data-testid="created-token"
          className="min-w-0 flex-1 overflow-x-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs whitespace-nowrap select-all dark:border-zinc-700 dark:bg-zinc-950"
        >
          {token.token}
        </code>
        <CopyButton text={token.token} />
      </div>
      <DialogFooter>
        <Button tone="primary" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </div>
  )
}
