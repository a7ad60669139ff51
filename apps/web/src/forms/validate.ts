/**
 * Checks what a form is about to send with the protocol schema the server checks it with, so every
 * wrong field is found at once and told in the server's own words.
 */
import type { z } from 'zod'

/** Field path as the server names it ("publicPort", "ports.0.port") → the first thing wrong with it. */
export type FieldMessages = Record<string, string>

/** Every problem of `value`, first message per field; empty when the schema accepts it. */
export function validate(schema: z.ZodType, value: unknown): FieldMessages {
  const result = schema.safeParse(value)
  if (result.success) return {}
  const fields: FieldMessages = {}
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[path ? `${path}.${key}` : key] ??= 'Unknown field; remove it'
      continue
    }
    fields[path] ??= issue.message
  }
  return fields
}

/** Checks only a form can make (an empty select, two passwords that differ): `false` or `undefined` when fine. */
export type FormChecks = Record<string, string | false | null | undefined>

/** Schema messages and form checks together; a form check wins on its field, being more specific. */
export function mergeChecks(schemaMessages: FieldMessages, formChecks: FormChecks = {}): FieldMessages {
  const merged = { ...schemaMessages }
  for (const [field, message] of Object.entries(formChecks)) if (message) merged[field] = message
  return merged
}
