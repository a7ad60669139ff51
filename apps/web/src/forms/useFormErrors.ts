/** A form's current errors: from checking it before sending, else from the server's last answer. */
import { useState } from 'react'
import { type FormErrors, formErrors } from './formErrors.ts'

export function useFormErrors(serverError: Error | null, shownFields: readonly string[]) {
  const [clientErrors, setClientErrors] = useState<FormErrors | null>(null)
  const errors = clientErrors ?? formErrors(serverError, shownFields)
  return { ...errors, setClientErrors }
}
