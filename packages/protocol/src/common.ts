/** Shared field types: ids, names, timestamps, pagination and the one error shape. */
import { z } from 'zod'

export const Id = z.uuid({ error: 'Must be an id (UUID)' })
export const Timestamp = z.string().describe('ISO 8601 date-time in UTC')

/**
 * A display name. Letters (any script), digits, space and . _ - ( ) only: names end up in
 * install commands, log lines and WireGuard comments, where markup or shell characters only hurt.
 */
export const Name = z
  .string({ error: 'Must be a text' })
  .trim()
  .min(1, { error: 'Must not be empty' })
  .max(64, { error: 'Must be at most 64 characters' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._()-]*$/u, {
    error: 'Use letters, digits, spaces and . _ - ( ) only, starting with a letter or digit',
  })

/** Free text shown to people. Bounded, single line, no control characters. */
export const Description = z
  .string({ error: 'Must be a text' })
  .max(200, { error: 'Must be at most 200 characters' })
  // Control characters (C0, C1), line and paragraph separators, and bidi overrides that could
  // make a description display as something else.
  .regex(/^[^\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/u, {
    error: 'Must not contain control characters, line breaks or text-direction overrides',
  })

export const Email = z
  .email({ error: 'Must be an email address' })
  .max(254, { error: 'Must be at most 254 characters' })
  .transform((v) => v.toLowerCase())

/** The password rule as people read it, shown wherever a password is set. */
export const PASSWORD_RULE =
  'At least 12 characters. Not a common password, the email address, or one character repeated.'

/**
 * A new password: the part of the rule that needs no context, which a client can check before
 * sending. The server also refuses common passwords and the account's email (`passwordProblem`).
 */
export const Password = z
  .string({ error: 'Must be a text' })
  .min(12, { error: 'Must be at least 12 characters' })
  .max(256, { error: 'Must be at most 256 characters' })
  // Case and spaces do not add guesses: "aA aA aA aA" is as weak as "aaaaaaaa".
  .refine((p) => new Set(p.toLowerCase().replace(/\s/g, '')).size > 1, {
    error: 'Must not be one character repeated',
  })

/** A whole number in a range, with messages people read (not "Too big: expected number to be <=720"). */
export function wholeNumber(min: number, max: number, unit = '') {
  const range = `Must be from ${min} to ${max}${unit ? ` ${unit}` : ''}`
  return z
    .number({ error: 'Must be a number' })
    .int({ error: 'Must be a whole number' })
    .min(min, { error: range })
    .max(max, { error: range })
}

/** The same for a query-string parameter, which arrives as text. */
export function wholeNumberParam(min: number, max: number) {
  const range = `Must be from ${min} to ${max}`
  return z.coerce
    .number({ error: 'Must be a number' })
    .int({ error: 'Must be a whole number' })
    .min(min, { error: range })
    .max(max, { error: range })
}

export const Role = z.enum(['admin', 'user'])
export type Role = z.infer<typeof Role>

export const PageQuery = z.strictObject({
  limit: wholeNumberParam(1, 500).default(50),
  offset: wholeNumberParam(0, 1_000_000_000).default(0),
})
export type PageQuery = z.infer<typeof PageQuery>

export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
}

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('Stable code clients switch on, e.g. "validation", "forward.conflict"'),
    message: z.string().describe('A sentence for people'),
    fields: z.record(z.string(), z.string()).optional().describe('Field path → what is wrong with it'),
  }),
})
export type ErrorBody = z.infer<typeof ErrorBody>

export const IdParams = z.strictObject({ id: Id })
