/** Renders an audit entry's free-form summary as one readable line: `key: value · key: value`. */

const MAX_VALUE = 80
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  // An id says little to a person and crowds the line: its first block tells ids apart.
  if (typeof value === 'string' && UUID.test(value)) return `${value.slice(0, 8)}…`
  if (typeof value === 'string') return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.length <= 3 ? value.map(formatValue).join(', ') : `${value.length} items`
  const json = JSON.stringify(value)
  return json.length > MAX_VALUE ? `${json.slice(0, MAX_VALUE)}…` : json
}

export function formatSummary(summary: Record<string, unknown>): string {
  // An empty text (no description given) says nothing.
  const parts = Object.entries(summary)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}: ${formatValue(value)}`)
  return parts.length > 0 ? parts.join(' · ') : '—'
}
