/** Splits an error into messages for the fields a form shows and one message for the top of the form. */
import { isApiError } from '../api/ApiError.ts'

export interface FormErrors {
  /** Field name (the API body field) → what is wrong with it. */
  fields: Record<string, string>
  /** Shown above the form: the error itself, or field errors the form has no control for. */
  message: string | null
}

export const noFormErrors: FormErrors = { fields: {}, message: null }

export function formErrors(error: Error | null | undefined, shownFields: readonly string[]): FormErrors {
  if (!error) return noFormErrors
  if (!isApiError(error) || Object.keys(error.fields).length === 0) return { fields: {}, message: error.message }
  const split = splitFields(error.fields, shownFields, error.message)
  // Only a validation error is fully told by its fields; a conflict's message says more (e.g. which
  // forward overlaps), so it stays at the top while the field it concerns is marked too.
  return error.code === 'validation' ? split : { fields: split.fields, message: error.message }
}

/** Errors found before sending, e.g. an empty select: keyed like the server's, shown the same way. */
export function clientErrors(fields: Record<string, string | false | undefined>): FormErrors | null {
  const found = Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => Boolean(e[1])))
  return Object.keys(found).length > 0 ? { fields: found, message: null } : null
}

function splitFields(all: Record<string, string>, shownFields: readonly string[], fallback: string): FormErrors {
  const fields: Record<string, string> = {}
  const elsewhere: string[] = []
  for (const [path, message] of Object.entries(all)) {
    if (shownFields.includes(path)) fields[path] = message
    else elsewhere.push(path ? `${path}: ${message}` : message)
  }
  if (elsewhere.length > 0) return { fields, message: elsewhere.join(' ') }
  return { fields, message: Object.keys(fields).length > 0 ? null : fallback }
}
