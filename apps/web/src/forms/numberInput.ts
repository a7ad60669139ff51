/**
 * Turns the text of a number input into what the API expects. Bad input stays NaN, which the
 * field's schema refuses in its own words ("Must be a whole number from 1 to 65535") when the form
 * checks itself; were it sent, it would travel as JSON null, which the server refuses the same way.
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
