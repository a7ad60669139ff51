/** Splits a form's errors into messages beside the fields it shows and one message for its top. */
import { isApiError } from '../api/ApiError.ts'
import type { FieldMessages } from './validate.ts'

export interface FormErrors {
  /** Field name (the API body field) → what is wrong with it. */
  fields: Record<string, string>
  /** Shown above the form: the error itself, or field errors the form has no control for. */
  message: string | null
}

/** Field name → how the form labels it, to name a field it does not show ("LAN networks: …"). */
export type FieldLabels = Record<string, string>

export const noFormErrors: FormErrors = { fields: {}, message: null }

/** The server's answer as a form shows it. */
export function formErrors(
  error: Error | null | undefined,
  shownFields: readonly string[],
  labels: FieldLabels = {},
  joinLists: (fields: FieldMessages) => FieldMessages = (f) => f,
): FormErrors {
  if (!error) return noFormErrors
  if (!isApiError(error) || Object.keys(error.fields).length === 0) return { fields: {}, message: error.message }
  const split = splitFields(joinLists(error.fields), shownFields, labels)
  // Only a validation error is fully told by its fields; a conflict's message says more (e.g. which
  // forward overlaps), so it stays at the top while the field it concerns is marked too.
  // A validation error's own summary names raw field paths ("tunnelIp: …"): never shown as it is.
  return error.code === 'validation' ? split : { fields: split.fields, message: error.message }
}

/** Problems found before sending, split the same way. */
export function checkedErrors(
  fields: FieldMessages,
  shownFields: readonly string[],
  labels: FieldLabels = {},
): FormErrors {
  return splitFields(fields, shownFields, labels)
}

function splitFields(all: FieldMessages, shownFields: readonly string[], labels: FieldLabels): FormErrors {
  const fields: Record<string, string> = {}
  const elsewhere: string[] = []
  for (const [path, message] of Object.entries(all)) {
    if (shownFields.includes(path)) fields[path] = message
    else {
      // A person reads the field's label, never its API name; with no label, the message alone.
      const label = labels[path]
      elsewhere.push(label ? `${label}: ${message}` : message)
    }
  }
  return { fields, message: elsewhere.length > 0 ? [...new Set(elsewhere)].join(' ') : null }
}
