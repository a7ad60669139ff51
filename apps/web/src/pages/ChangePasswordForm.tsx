/** The signed-in user changes their own password: the current one, the new one twice. */

import { PasswordChange } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useChangePassword } from '../api/auth.ts'
import { Alert } from '../components/Alert.tsx'
import { Button } from '../components/Button.tsx'
import { CheckboxField } from '../components/Field.tsx'
import { PasswordField } from '../components/PasswordField.tsx'
import { useFormErrors } from '../forms/useFormErrors.ts'
import { PASSWORD_RULE } from './users/passwordRule.ts'

const shownFields = ['currentPassword', 'newPassword', 'repeat', 'revokeApiTokens'] as const

export function ChangePasswordForm() {
  const change = useChangePassword()
  const errors = useFormErrors(change.error, shownFields)
  const [currentPassword, setCurrentPassword] = useState('')
  const [newPassword, setNewPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [revokeApiTokens, setRevokeApiTokens] = useState(false)
  const [changed, setChanged] = useState<{ revokedTokens: boolean } | null>(null)

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const body = { currentPassword, newPassword, revokeApiTokens }
    setChanged(null)
    const ok = errors.check(PasswordChange, body, {
      form: {
        newPassword:
          newPassword.length >= 12 && newPassword === currentPassword && 'Must differ from the current password',
        repeat: newPassword !== repeat && 'The two passwords differ',
      },
    })
    if (!ok) return
    change.mutate(body, {
      onSuccess: () => {
        setChanged({ revokedTokens: revokeApiTokens })
        setCurrentPassword('')
        setNewPassword('')
        setRepeat('')
        setRevokeApiTokens(false)
      },
    })
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Change password"
      className="max-w-lg space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      {changed && (
        <Alert tone="success" title="Password changed">
          You are still signed in here; every other session of yours was signed out.{' '}
          {changed.revokedTokens ? 'Your API tokens were revoked.' : 'Your API tokens keep working.'}
        </Alert>
      )}
      {errors.message && <Alert>{errors.message}</Alert>}
      <PasswordField
        label="Current password"
        name="currentPassword"
        autoComplete="current-password"
        value={currentPassword}
        onChange={setCurrentPassword}
        error={errors.fields.currentPassword}
      />
      <PasswordField
        label="New password"
        name="newPassword"
        autoComplete="new-password"
        value={newPassword}
        onChange={setNewPassword}
        error={errors.fields.newPassword}
        hint={PASSWORD_RULE}
      />
      <PasswordField
        label="Repeat the new password"
        name="repeat"
        autoComplete="new-password"
        value={repeat}
        onChange={setRepeat}
        error={errors.fields.repeat}
      />
      <CheckboxField
        label="Also revoke my API tokens"
        name="revokeApiTokens"
        description="Scripts using them stop working until you make new ones."
        checked={revokeApiTokens}
        onChange={setRevokeApiTokens}
        error={errors.fields.revokeApiTokens}
      />
      <div className="flex justify-end">
        <Button type="submit" tone="primary" pending={change.isPending}>
          Change password
        </Button>
      </div>
    </form>
  )
}
