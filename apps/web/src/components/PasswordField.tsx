/** A password input in a <Field>: the one place that sets its type, autocomplete and look. */
import type { ReactNode } from 'react'
import { Field, inputClass } from './Field.tsx'

interface PasswordFieldProps {
  label: ReactNode
  name: string
  value: string
  onChange: (value: string) => void
  /** `current-password` for the one to check, `new-password` for one being chosen (password managers offer to make one). */
  autoComplete: 'current-password' | 'new-password'
  error?: string | undefined
  hint?: ReactNode
}

export function PasswordField({ label, name, value, onChange, autoComplete, error, hint }: PasswordFieldProps) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(control) => (
        <input
          {...control}
          type="password"
          autoComplete={autoComplete}
          className={inputClass}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  )
}
