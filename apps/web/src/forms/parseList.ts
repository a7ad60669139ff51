/**
 * Splits the text of a list field (DNS servers, LAN networks) into the array the API takes: items
 * may be separated by commas, spaces or new lines, and empty items are dropped.
 */
export function parseList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== '')
}

/** The text a list field starts with: one item per line in a text area, else comma-separated. */
export function formatList(items: readonly string[], separator: ', ' | '\n' = ', '): string {
  return items.join(separator)
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i])
}
