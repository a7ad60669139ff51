/** A labelled form control with its hint and its error, wired together for screen readers and tests. */
import { type ReactNode, useId } from 'react'

export const inputClass =
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm ' +
  'placeholder:text-zinc-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 ' +
  'disabled:cursor-not-allowed disabled:bg-zinc-100 disabled:text-zinc-500 ' +
  'aria-[invalid=true]:border-red-500 aria-[invalid=true]:focus:ring-red-500/30 ' +
  'dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 dark:disabled:bg-zinc-800'

export const selectClass = `${inputClass} pr-8`

export const checkboxClass =
  'size-4 rounded border-zinc-300 text-zinc-900 accent-zinc-900 focus-visible:outline-none ' +
  'focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 dark:accent-zinc-100'

/** Props to spread on the control so its label, hint and error point at it. */
export interface ControlProps {
  id: string
  name: string
  'aria-invalid': boolean
  'aria-describedby': string | undefined
}

interface FieldProps {
  label: ReactNode
  /** The API field name: the control's `name`, and the key of its error in `{error: {fields}}`. */
  name: string
  error?: string | undefined
  hint?: ReactNode
  className?: string
  children: (control: ControlProps) => ReactNode
}

export function Field({ label, name, error, hint, className = '', children }: FieldProps) {
  const id = useId()
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      {children({ id, name, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && !error && (
        <p id={hintId} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      )}
      <FieldError id={errorId} name={name} error={error} />
    </div>
  )
}

interface CheckboxFieldProps {
  label: ReactNode
  name: string
  checked: boolean
  onChange: (checked: boolean) => void
  description?: ReactNode
  error?: string | undefined
  disabled?: boolean
}

export function CheckboxField({ label, name, checked, onChange, description, error, disabled }: CheckboxFieldProps) {
  const id = useId()
  const errorId = error ? `${id}-error` : undefined
  return (
    <div>
      <div className="flex items-start gap-2.5">
        <input
          id={id}
          name={name}
          type="checkbox"
          className={`mt-0.5 ${checkboxClass}`}
          checked={checked}
          disabled={disabled}
          aria-invalid={Boolean(error)}
          aria-describedby={errorId}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id} className="text-sm">
          <span className="font-medium text-zinc-800 dark:text-zinc-200">{label}</span>
          {description && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{description}</span>}
        </label>
      </div>
      <FieldError id={errorId} name={name} error={error} />
    </div>
  )
}

/** A field's error under its control; for controls that do not fit <Field> (a group of radios). */
export function FieldError({ id, name, error }: { id: string | undefined; name: string; error: string | undefined }) {
  if (!error) return null
  return (
    <p id={id} data-testid={`error-${name}`} className="mt-1 text-xs font-medium text-red-600 dark:text-red-400">
      {error}
    </p>
  )
}
