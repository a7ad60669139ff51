/** Dates for people: an absolute local time, and "3 days ago" / "in 2 hours". */

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

export function formatDateTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : absolute.format(date)
}

/** With `precise`, under a minute counts seconds ("12 seconds ago") instead of saying "just now". */
export function formatRelative(iso: string, now = Date.now(), precise = false): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const seconds = (date.getTime() - now) / 1000
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit)
  }
  if (precise) return relative.format(Math.round(seconds), 'second')
  return seconds < 0 ? 'just now' : 'in a moment'
}
