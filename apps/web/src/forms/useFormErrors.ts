/**
 * A form's errors: from checking what it is about to send (every field at once, with the protocol
 * schema the server uses), else from the server's last answer. Field errors show beside their
 * fields; the rest, and a conflict's full sentence, at the top.
 */
import { useState } from 'react'
import type { z } from 'zod'
import { checkedErrors, type FieldLabels, type FormErrors, formErrors } from './formErrors.ts'
import { joinListErrors } from './joinListErrors.ts'
import { type FieldMessages, type FormChecks, mergeChecks, validate } from './validate.ts'

type Lists = Record<string, readonly string[] | undefined>

interface CheckOptions {
  /** Checks only the form can make, e.g. an empty select; each wins over the schema on its field. */
  form?: FormChecks
  /** List fields edited as one text ("dns"), with their items: item errors show under the list. */
  lists?: Lists
}

export interface UseFormErrors extends FormErrors {
  /** True when `body` may be sent; otherwise shows all its errors and returns false. */
  check: (schema: z.ZodType, body: unknown, options?: CheckOptions) => boolean
  /** Forgets the errors found before sending (e.g. when the form is reset). */
  clear: () => void
}

export function useFormErrors(
  serverError: Error | null,
  shownFields: readonly string[],
  labels: FieldLabels = {},
): UseFormErrors {
  const [found, setFound] = useState<FieldMessages | null>(null)
  // The lists of the body checked last: the one that was sent, when the server answers.
  const [lists, setLists] = useState<Lists>({})
  const errors = found
    ? checkedErrors(found, shownFields, labels)
    : formErrors(serverError, shownFields, labels, (fields) => joinListErrors(fields, lists))

  const check = (schema: z.ZodType, body: unknown, options: CheckOptions = {}) => {
    const all = joinListErrors(mergeChecks(validate(schema, body), options.form), options.lists ?? {})
    setLists(options.lists ?? {})
    const ok = Object.keys(all).length === 0
    setFound(ok ? null : all)
    return ok
  }
  return { ...errors, check, clear: () => setFound(null) }
}
