/** An admin sets a new password for a user: their sessions end, and their API tokens unless unticked. */

import { type User, UserUpdate } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useUpdateUser } from '../../api/users.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { CheckboxField } from '../../components/Field.tsx'
import { PasswordField } from '../../components/PasswordField.tsx'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { PASSWORD_RULE } from './passwordRule.ts'

const shownFields = ['password', 'repeat', 'revokeApiTokens'] as const

export function ResetPasswordDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  return (
    <Dialog
      open={user !== null}
      onClose={onClose}
      title="Reset password"
      description={
        user
          ? `Choose a new password for ${user.email} and pass it on safely. They are signed out everywhere.`
          : undefined
      }
    >
      {user && <ResetPasswordForm user={user} onDone={onClose} />}
    </Dialog>
  )
}

function ResetPasswordForm({ user, onDone }: { user: User; onDone: () => void }) {
  const update = useUpdateUser()
  const errors = useFormErrors(update.error, shownFields)
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  // Ticked: a reset usually means the password may be known to someone else, who may have made tokens.
  const [revokeApiTokens, setRevokeApiTokens] = useState(true)

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const patch = { password, revokeApiTokens }
    const ok = errors.check(UserUpdate, patch, {
      form: { repeat: password !== repeat && 'The two passwords differ' },
    })
    if (ok) update.mutate({ id: user.id, patch }, { onSuccess: onDone })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <PasswordField
        label="New password"
        name="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={errors.fields.password}
        hint={PASSWORD_RULE}
      />
      <PasswordField
        label="Repeat the password"
        name="repeat"
        autoComplete="new-password"
        value={repeat}
        onChange={setRepeat}
        error={errors.fields.repeat}
      />
      <CheckboxField
        label="Also revoke this user's API tokens"
        name="revokeApiTokens"
        description="Scripts using them stop working; the user can make new ones after signing in."
        checked={revokeApiTokens}
        onChange={setRevokeApiTokens}
        error={errors.fields.revokeApiTokens}
      />
      <DialogFooter>
        <Button onClick={onDone} disabled={update.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={update.isPending}>
          Set password
        </Button>
      </DialogFooter>
    </form>
  )
}
