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
  return splitFields(error.fields, shownFields, error.message)
}

interface SchemaIssue {
  path: readonly PropertyKey[]
  message: string
}

interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T; error?: never } | { success: false; data?: never; error: { issues: readonly SchemaIssue[] } }
}

/**
 * Checks a form's body with the same zod schema the server uses, so people see mistakes before a
 * round trip and in the same words. The server still validates; its answer wins if they disagree.
 */
export function validateBody<T>(
  schema: Schema<T>,
  body: unknown,
  shownFields: readonly string[],
): { ok: true; data: T } | { ok: false; errors: FormErrors } {
  const result = schema.safeParse(body)
  if (result.success) return { ok: true, data: result.data }
  const fields: Record<string, string> = {}
  for (const issue of result.error.issues) fields[issue.path.map(String).join('.')] ??= issue.message
  return { ok: false, errors: splitFields(fields, shownFields, 'Some fields are not valid.') }
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
