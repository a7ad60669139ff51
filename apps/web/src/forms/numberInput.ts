/**
 * Turns the text of a number input into what the API expects. Bad input is sent as it is, for the
 * server to reject with the field's own message: NaN travels as JSON null, which no port accepts.
 */

/** Always a number; NaN when empty or not a number. */
export function requiredNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text)
}

/** '' → undefined (field omitted); anything else → a number, NaN if it is not one. */
export function optionalNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text)
}

/** '' → null (field cleared); anything else → a number, NaN if it is not one. */
export function nullableNumber(text: string): number | null {
  return text.trim() === '' ? null : Number(text)
}
