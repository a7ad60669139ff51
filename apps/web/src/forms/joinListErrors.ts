/**
 * A form that edits a list in one text field gets the errors for single items ("dns.1") under that
 * field instead, naming the item: "8.8.8: Must be an IPv4 or IPv6 address".
 */
import type { FieldMessages } from './validate.ts'

export function joinListErrors(
  fields: FieldMessages,
  /** Each list field with the items that were checked or sent, to name the one at fault. */
  lists: Record<string, readonly string[] | undefined>,
): FieldMessages {
  const joined: FieldMessages = {}
  for (const [path, message] of Object.entries(fields)) {
    const match = /^(.+)\.(\d+)$/.exec(path)
    const list = match?.[1]
    if (!match || list === undefined || !(list in lists)) {
      joined[path] = message
      continue
    }
    const item = lists[list]?.[Number(match[2])]
    const text = item === undefined ? message : `${item}: ${message}`
    joined[list] = joined[list] ? `${joined[list]} ${text}` : text
  }
  return joined
}
