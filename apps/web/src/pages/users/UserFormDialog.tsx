/** Creates a user, or edits one's name, email, role and whether they may sign in. */
import { type Role, type User, UserCreate, UserUpdate } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useCreateUser, useUpdateUser } from '../../api/users.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { CheckboxField, Field, inputClass, selectClass } from '../../components/Field.tsx'
import { PasswordField } from '../../components/PasswordField.tsx'
import { useFormErrors } from '../../forms/useFormErrors.ts'
import { PASSWORD_RULE } from './passwordRule.ts'

const shownFields = ['name', 'email', 'password', 'role', 'disabled'] as const

interface UserFormDialogProps {
  open: boolean
  /** The user to edit; null to create one. */
  user: User | null
  isSelf: boolean
  onClose: () => void
}

export function UserFormDialog({ open, user, isSelf, onClose }: UserFormDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={user ? `Edit ${user.name}` : 'New user'}
      description={user ? undefined : 'They sign in with this email and password.'}
    >
      <UserForm user={user} isSelf={isSelf} onDone={onClose} />
    </Dialog>
  )
}

function UserForm({ user, isSelf, onDone }: { user: User | null; isSelf: boolean; onDone: () => void }) {
  const create = useCreateUser()
  const update = useUpdateUser()
  const mutation = user ? update : create
  const errors = useFormErrors(mutation.error, shownFields)
  const [name, setName] = useState(user?.name ?? '')
  const [email, setEmail] = useState(user?.email ?? '')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>(user?.role ?? 'user')
  const [disabled, setDisabled] = useState(user?.disabled ?? false)

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    if (!user) {
      const body = { name, email, password, role }
      if (errors.check(UserCreate, body)) create.mutate(body, { onSuccess: onDone })
      return
    }
    // Send only what changed, so saving a name never trips a rule about roles or disabling.
    const patch: UserUpdate = {}
    if (name !== user.name) patch.name = name
    if (email !== user.email) patch.email = email
    if (role !== user.role) patch.role = role
    if (disabled !== user.disabled) patch.disabled = disabled
    if (!errors.check(UserUpdate, patch)) return
    if (Object.keys(patch).length === 0) return onDone()
    update.mutate({ id: user.id, patch }, { onSuccess: onDone })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {errors.message && <Alert>{errors.message}</Alert>}
      <Field label="Name" name="name" error={errors.fields.name}>
        {(control) => (
          <input {...control} className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <Field label="Email" name="email" error={errors.fields.email}>
        {(control) => (
          <input
            {...control}
            type="email"
            autoComplete="off"
            className={inputClass}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      {!user && (
        <PasswordField
          label="Password"
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
          hint={PASSWORD_RULE}
        />
      )}
      <Field
        label="Role"
        name="role"
        error={errors.fields.role}
        hint={isSelf ? 'Careful: without the admin role you lose access to this page.' : undefined}
      >
        {(control) => (
          <select
            {...control}
            className={selectClass}
            value={role}
            onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'user')}
          >
            <option value="user">User: own API tokens only</option>
            <option value="admin">Admin: everything</option>
          </select>
        )}
      </Field>
      {user && (
        <CheckboxField
          label="Disabled"
          name="disabled"
          description="A disabled user cannot sign in and their API tokens stop working."
          checked={disabled}
          onChange={setDisabled}
          error={errors.fields.disabled}
          disabled={isSelf && !user.disabled}
        />
      )}
      <DialogFooter>
        <Button onClick={onDone} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" tone="primary" pending={mutation.isPending}>
          {user ? 'Save' : 'Create user'}
        </Button>
      </DialogFooter>
    </form>
  )
}
