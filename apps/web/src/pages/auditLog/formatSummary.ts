/** Renders an audit entry's free-form summary as one readable line: `key: value · key: value`. */

const MAX_VALUE = 80

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'string') return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.length <= 3 ? value.map(formatValue).join(', ') : `${value.length} items`
  const json = JSON.stringify(value)
  return json.length > MAX_VALUE ? `${json.slice(0, MAX_VALUE)}…` : json
}

export function formatSummary(summary: Record<string, unknown>): string {
  const parts = Object.entries(summary).map(([key, value]) => `${key}: ${formatValue(value)}`)
  return parts.length > 0 ? parts.join(' · ') : '—'
}
