/**
 * A form that edits a list in one text field gets the server's errors for single items ("dns.1")
 * under that field instead, naming the item: "8.8.8: Must be an IPv4 or IPv6 address".
 */
import { ApiError, isApiError } from '../api/ApiError.ts'

export function joinListErrors(
  error: Error | null,
  /** Each list field with the items that were sent, to name the one at fault. */
  lists: Record<string, readonly string[] | undefined>,
): Error | null {
  if (!isApiError(error)) return error
  const fields: Record<string, string> = {}
  for (const [path, message] of Object.entries(error.fields)) {
    const match = /^(.+)\.(\d+)$/.exec(path)
    const list = match?.[1]
    if (!match || list === undefined || !(list in lists)) {
      fields[path] = message
      continue
    }
    const item = lists[list]?.[Number(match[2])]
    const text = item === undefined ? message : `${item}: ${message}`
    fields[list] = fields[list] ? `${fields[list]} ${text}` : text
  }
  return new ApiError(error.status, error.code, error.message, fields, error.retryAfter)
}
